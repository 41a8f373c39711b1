import { readFileSync } from 'node:fs';
import path from 'node:path';
import { peerBenchDir } from './paths.js';

export interface UserRow {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
export interface ProductRow {
  upc: string;
  name: string;
  price: number;
  weight: number;
}
export interface InventoryRow {
  upc: string;
  inStock: boolean;
}
export interface ReviewRow {
  id: string;
  body: string;
  productUpc: string;
}
export interface PeerData {
  users: UserRow[];
  products: ProductRow[];
  inventory: InventoryRow[];
  reviews: ReviewRow[];
}

/** data.json of the peer benchmark: 6 users, 9 products, 9 inventory rows, 11 reviews. */
export function loadPeerData(dir = peerBenchDir()): PeerData {
  const data = JSON.parse(readFileSync(path.join(dir, 'data.json'), 'utf8')) as PeerData;
  for (const key of ['users', 'products', 'inventory', 'reviews'] as const) {
    if (!Array.isArray(data[key])) throw new Error(`data.json: "${key}" is not an array`);
  }
  return data;
}
