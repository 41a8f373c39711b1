export { SUBGRAPHS, ownersOf, type SubgraphEntry } from './subgraphs.js';
export {
  composeSupergraph,
  apiSchemaOf,
  SUPERGRAPH_FILE,
  type ComposeOptions,
  type ComposeOutcome,
  type ComposeFailure,
  type ApiChange,
  type BreakingChange,
} from './supergraph.js';
export { loadAllowedBreakingChanges, ALLOWED_BREAKING_CHANGES_FILE, type AllowedBreakingChange } from './allowed.js';
export { undescribedElements } from './documentation.js';
