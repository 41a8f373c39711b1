/** A product as search returns it: a reference the products subgraph resolves. */
export type ProductModel = {
  id: string;
};
