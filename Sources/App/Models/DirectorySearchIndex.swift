import Domain
import SQLKit

/// The directory's search index, on both databases (migration 023):
/// - the words: `directory_services.search_text` (names and descriptions in both languages, folded
///   in Swift by `NameTokens`, so accents and case match alike on both databases);
/// - the facets: `directory_services.search_facets`, one token per value a search filters on
///   (status, categories, languages, eligibility, region, each province served), written by
///   `DirectoryServiceAreas` on every save.
///
/// SQLite indexes both in one FTS5 table (`body` and `facets` columns, kept by triggers, keyed by
/// the integer `search_key`); PostgreSQL, in two generated `tsvector` columns with GIN indexes. A
/// search is then one index lookup that intersects every filter and the words, instead of a scan
/// of the listings that share a province (26 ms for 20,000 services on SQLite, 1 ms this way). Not
/// `LIKE`.
enum DirectorySearchIndex {
    /// One token: a letter for the kind of value, then the value's letters and digits
    /// (`temporarily_closed` → `stemporarilyclosed`). The tokenizers of both databases keep it whole.
    static func token(_ kind: Character, _ value: String) -> String {
        String(kind) + String(value.lowercased().unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) })
    }

    /// The facet tokens of a listing. Changing what they are needs a migration that writes them
    /// again for every listing (as 023 did first).
    static func facets(
        status: String, categories: String, languages: String, eligibleStatuses: String, region: String, provinces: [Province]
    ) -> String {
        func list(_ kind: Character, _ stored: String) -> [String] {
            stored.split(separator: ",").map { token(kind, String($0)) }
        }
        let eligibility = eligibleStatuses.isEmpty ? [everyone] : list("e", eligibleStatuses)
        let listed = DirectoryQueries.listedStatuses.contains(status) ? listedToken : unlistedToken
        let parts =
            [listed, token("s", status), token("r", region)] + list("c", categories) + list("l", languages) + eligibility
            + provinces.map { token("p", $0.rawValue) }
        return parts.joined(separator: " ")
    }

    /// The facet of a listing open to every immigration status.
    static let everyone = "eall"
    /// The facet of a listing a search shows (active or temporarily closed), and of one it does not.
    static let listedToken = "slisted"
    static let unlistedToken = "sunlisted"

    /// What a search requires besides being listed, facet by facet: every group must hold (AND),
    /// one token of a group is enough (OR).
    static func required(_ query: DirectoryQuery) -> [[String]] {
        var groups: [[String]] = []
        if let province = query.province { groups.append([token("p", province.rawValue)]) }
        if let region = query.region { groups.append([token("r", region.rawValue)]) }
        if let category = query.category { groups.append([token("c", category.rawValue)]) }
        if let language = query.language { groups.append([token("l", language)]) }
        if let status = query.eligibility { groups.append([everyone, token("e", status.rawValue)]) }
        return groups
    }

    /// The words of a search, folded like the documents; each must appear (as a word or the start
    /// of one). Only letters and digits remain, so nothing of the query reaches the SQL text.
    static func terms(_ query: String) -> [String] {
        Array(Set(NameTokens.tokens(query))).sorted().prefix(8).map { $0 }
    }

    /// SQLite: the FTS5 query over both columns. Facet tokens are letters and digits only, and so
    /// are the terms; the words are looked for in `body` only, so a word never matches a facet.
    static func sqliteMatch(facets: [[String]], terms: [String]) -> String {
        let groups = facets.map { group in
            group.count == 1 ? "facets : \(group[0])" : "(" + group.map { "facets : \($0)" }.joined(separator: " OR ") + ")"
        }
        let positive = groups + terms.map { "body : \"\($0)\"*" }
        // Nearly every listing is listed: "not unlisted" reads the short list of the others
        // instead of walking the long one beside each filter.
        guard !positive.isEmpty else { return "facets : \(listedToken)" }
        return "(" + positive.joined(separator: " AND ") + ") NOT facets : \(unlistedToken)"
    }

    /// PostgreSQL: the `tsquery` of the facets, and of the words (nil without words).
    static func postgresQueries(facets: [[String]], terms: [String]) -> (facets: String, words: String?) {
        let groups = facets.map { group in group.count == 1 ? group[0] : "(" + group.joined(separator: " | ") + ")" }
        return (([listedToken] + groups).joined(separator: " & "), terms.isEmpty ? nil : terms.map { "\($0):*" }.joined(separator: " & "))
    }

    /// The index and its triggers (SQLite) or columns (PostgreSQL), filled from the listings.
    static func create(on sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "sqlite" else {
            try await sql.raw(
                """
                ALTER TABLE directory_services ADD COLUMN search_facets_tsv tsvector
                GENERATED ALWAYS AS (to_tsvector('simple', search_facets)) STORED
                """
            ).run()
            try await sql.raw("CREATE INDEX directory_services_facets_idx ON directory_services USING GIN (search_facets_tsv)").run()
            return
        }
        try await sql.raw("CREATE VIRTUAL TABLE directory_search USING fts5(body, facets, tokenize = 'unicode61 remove_diacritics 2')").run()
        try await sql.raw(
            """
            CREATE TRIGGER directory_search_insert AFTER INSERT ON directory_services
            BEGIN
            UPDATE directory_services SET search_key = (SELECT COALESCE(MAX(search_key), 0) + 1 FROM directory_services)
            WHERE rowid = NEW.rowid AND NEW.search_key IS NULL;
            INSERT INTO directory_search (rowid, body, facets)
            SELECT search_key, NEW.search_text, NEW.search_facets FROM directory_services WHERE rowid = NEW.rowid;
            END
            """
        ).run()
        try await sql.raw(
            """
            CREATE TRIGGER directory_search_update AFTER UPDATE OF search_text, search_facets ON directory_services
            BEGIN DELETE FROM directory_search WHERE rowid = OLD.search_key;
            INSERT INTO directory_search (rowid, body, facets) VALUES (NEW.search_key, NEW.search_text, NEW.search_facets); END
            """
        ).run()
        try await sql.raw(
            """
            CREATE TRIGGER directory_search_delete AFTER DELETE ON directory_services
            BEGIN DELETE FROM directory_search WHERE rowid = OLD.search_key; END
            """
        ).run()
        try await sql.raw("INSERT INTO directory_search (rowid, body, facets) SELECT search_key, search_text, search_facets FROM directory_services")
            .run()
    }

    static func drop(on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            for event in ["insert", "update", "delete"] { try await sql.raw("DROP TRIGGER IF EXISTS directory_search_\(unsafeRaw: event)").run() }
            try await sql.raw("DROP TABLE IF EXISTS directory_search").run()
        }
    }
}
