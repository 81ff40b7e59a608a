/**
 * The ledger's key layout (docs/data-model.md). A lead's three keys share the hash tag {<id>}, so its updates are
 * single-slot under Redis Cluster; indexes are written after, idempotently, from the lead itself (indexes.ts).
 *   <p>:lead:{<id>}          string  the lead as JSON
 *   <p>:lead:{<id>}:tl       zset    timeline entry ids by the time they happened
 *   <p>:lead:{<id>}:tle      hash    entry id → entry JSON
 *   <p>:group:{<chatId>}     string  a customer group: its customer-side members and the leads bound to it
 *   <p>:group:{<chatId>}:joincode  string  the group's QR join code (config id + QR), made once
 *   <p>:{idx}:all | :owner:<u> zset  lead ids by creation time
 *   <p>:{idx}:owners          set     the reps with leads (owners()), kept by every write, repaired by a scan nightly
 *   <p>:{idx}:state:<s> | :outcome:<o> | :manual:<u>   set   lead ids
 *   <p>:{idx}:lastcust       zset    lead ids by last customer touch (quiet filters, the sweep)
 *   <p>:{idx}:due            zset    lead ids by next check time (the nudge sweep)
 * The indexes share the hash tag {idx}: under Redis Cluster they live in one slot, so a filter can intersect them in
 * one command (SINTERCARD) while the leads themselves spread over every node. Before this layout they were
 * <p>:idx:<name> (legacyIdx); LeadIndexes.migrateLegacy rebuilds them once.
 *   <p>:rep:<u>:last         list    the lead ids of the last list shown to a rep (#n)
 *   <p>:cust:<ext>:groups    set     the customer groups a customer is in (binds a lead that arrives after its groups)
 *   <p>:board:pending        set     leads changed since the board's rows were last computed (board-projection.ts)
 */
export class LedgerKeys {
  constructor(readonly prefix: string) {}
  lead(id: string) {
    return `${this.prefix}:lead:{${id}}`;
  }
  timeline(id: string) {
    return `${this.prefix}:lead:{${id}}:tl`;
  }
  entries(id: string) {
    return `${this.prefix}:lead:{${id}}:tle`;
  }
  boardPending() {
    return `${this.prefix}:board:pending`;
  }
  idx(name: string) {
    return `${this.prefix}:{idx}:${name}`;
  }
  /** An index key of the layout before the {idx} hash tag (migrateLegacy). */
  legacyIdx(name: string) {
    return `${this.prefix}:idx:${name}`;
  }
  group(chatId: string) {
    return `${this.prefix}:group:{${chatId}}`;
  }
  joinCode(chatId: string) {
    return `${this.group(chatId)}:joincode`;
  }
  customerGroups(externalUserId: string) {
    return `${this.prefix}:cust:${externalUserId}:groups`;
  }
  lastList(rep: string) {
    return `${this.prefix}:rep:${rep}:last`;
  }
  /** Matches a lead key and captures its id (for SCAN). */
  leadKeyPattern(): RegExp {
    return new RegExp(`^${this.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:lead:\\{(.+)\\}$`);
  }
}
