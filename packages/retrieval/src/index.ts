export { RetrievalError, retrievalErrorCodes, type RetrievalErrorCode } from './retrieval-error.js';
export {
  filterSchema,
  parseFilter,
  DOCUMENT_ID_FIELD,
  MAX_FILTER_DEPTH,
  MAX_FILTER_NODES,
  type Filter,
  type FilterValue,
  type FilterBound,
  type EqFilter,
  type InFilter,
  type RangeFilter,
  type ExistsFilter,
} from './filter-schema.js';
export { compileFilter } from './compile-filter.js';
export { searchRequestSchema, parseSearchRequest, searchModes, MAX_TOP_K, MAX_FETCH_K, type SearchRequest, type SearchMode } from './search-request.js';
export { createSearcher, legFetchSize, type Searcher, type SearcherOptions, type SearchHit, type SearchResult, type SearchTimings } from './searcher.js';
export { mmr } from './mmr.js';
export { reciprocalRankFusion } from './reciprocal-rank-fusion.js';
export { bm25Idf, bm25Score, termFrequencies, BM25_K1, BM25_B } from './bm25.js';
export { matchTerms, sparseCandidatesSql, type MatchPlan } from './sparse-leg.js';
export { denseSql, efSearchFor } from './dense-leg.js';
export { createCorpusStats, type CorpusStats, type CorpusStatsOptions, type Corpus } from './corpus-stats.js';
