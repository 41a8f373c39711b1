import { z } from 'zod';

export const productIdArg = z.string().trim().min(1, 'Choose a product').max(64, 'Unknown product');
