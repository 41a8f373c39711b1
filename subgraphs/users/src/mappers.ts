import type { Role } from '@shop/platform';

/** A user as resolvers see it: never carries the password hash. */
export type UserModel = {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
};

export type AddressModel = {
  id: string;
  userId: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
  createdAt: Date;
};
