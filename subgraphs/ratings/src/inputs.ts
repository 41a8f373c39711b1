import { z } from 'zod';

export const RATING_MIN = 1;
export const RATING_MAX = 5;
export const TITLE_MAX = 120;
export const BODY_MAX = 5_000;

const text = (label: string, max: number) =>
  z.string().trim().min(1, `${label} must not be empty`).max(max, `${label} must be at most ${max} characters`);

export const addReviewInput = z.object({
  productId: z.string().trim().min(1, 'Choose a product').max(64, 'Unknown product'),
  rating: z
    .number()
    .int('Rating must be a whole number')
    .min(RATING_MIN, `Rating must be between ${RATING_MIN} and ${RATING_MAX}`)
    .max(RATING_MAX, `Rating must be between ${RATING_MIN} and ${RATING_MAX}`),
  title: text('Title', TITLE_MAX),
  body: text('Review text', BODY_MAX),
});
export type AddReviewInput = z.infer<typeof addReviewInput>;
