import catalog from "../../catalog/plans.json";
import { type Catalog, plansOf } from "./plans";

/** Every plan version in the repository's catalog (catalog/plans.json), checked at load. */
export const CATALOG_PLANS = plansOf(catalog as Catalog);
