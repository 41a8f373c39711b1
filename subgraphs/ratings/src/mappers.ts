/** A product as this subgraph knows it: only its id (products owns the rest). */
export type ProductModel = {
  id: string;
};

/** A review as stored. */
export type ReviewModel = {
  id: string;
  productId: string;
  userId: string;
  rating: number;
  title: string;
  body: string;
  createdAt: Date;
};
