/** A product as this subgraph knows it: only its id (products owns the rest). */
export type ProductModel = {
  id: string;
};

/** A user as this subgraph knows it: only its id (users owns the rest). */
export type UserModel = {
  id: string;
};
