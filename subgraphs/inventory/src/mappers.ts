/** A product as inventory knows it: only its id (products owns everything else). */
export type ProductModel = {
  id: string;
};

/** A product's stock row; a product never stocked reads as on hand 0, reserved 0. */
export type InventoryModel = {
  productId: string;
  /** Units in the warehouse, reserved ones included. */
  onHand: number;
  /** Units held for pending orders. */
  reserved: number;
};
