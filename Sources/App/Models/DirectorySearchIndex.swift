import Domain
import SQLKit

/// Full-text search of the directory over `directory_services.search_text` (names and
/// descriptions in both languages, folded in Swift by `NameTokens`, so accents and case match
/// alike on both databases): SQLite's FTS5, kept by triggers; PostgreSQL's `tsvector`, a generated
/// column with a GIN index. Not `LIKE`. Created by migration 015, keyed by an integer since 018.
enum DirectorySearchIndex {
    /// The index keyed by `directory_services.search_key`, an integer kept in the row (a rowid
    /// could change on VACUUM): a match joins on an integer index instead of reading each
    /// match's text key back from the index's content. Migration 018.
    static func create(on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            try await sql.raw("CREATE VIRTUAL TABLE directory_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')").run()
            try await sql.raw(
                """
                CREATE TRIGGER directory_search_insert AFTER INSERT ON directory_services
                BEGIN
                UPDATE directory_services SET search_key = (SELECT COALESCE(MAX(search_key), 0) + 1 FROM directory_services)
                WHERE rowid = NEW.rowid AND NEW.search_key IS NULL;
                INSERT INTO directory_search (rowid, body) SELECT search_key, NEW.search_text FROM directory_services WHERE rowid = NEW.rowid;
                END
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER directory_search_update AFTER UPDATE OF search_text ON directory_services
                BEGIN DELETE FROM directory_search WHERE rowid = OLD.search_key;
                INSERT INTO directory_search (rowid, body) VALUES (NEW.search_key, NEW.search_text); END
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER directory_search_delete AFTER DELETE ON directory_services
                BEGIN DELETE FROM directory_search WHERE rowid = OLD.search_key; END
                """
            ).run()
        }
    }

    static func drop(on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            for event in ["insert", "update", "delete"] { try await sql.raw("DROP TRIGGER IF EXISTS directory_search_\(unsafeRaw: event)").run() }
            try await sql.raw("DROP TABLE IF EXISTS directory_search").run()
        }
    }

    /// The words of a search, folded like the documents; each must appear (as a word or the start
    /// of one). Only letters and digits remain, so nothing of the query reaches the SQL text.
    static func terms(_ query: String) -> [String] {
        Array(Set(NameTokens.tokens(query))).sorted().prefix(8).map { $0 }
    }

    /// `cases.id IN (…)` for the services matching every term.
    static func matching(_ terms: [String], dialect: String) -> SQLQueryString {
        if dialect == "sqlite" {
            let match = terms.map { "\"\($0)\"*" }.joined(separator: " ")
            return "directory_services.search_key IN (SELECT rowid FROM directory_search WHERE directory_search MATCH \(bind: match))"
        }
        let query = terms.map { "\($0):*" }.joined(separator: " & ")
        return "directory_services.search_tsv @@ to_tsquery('simple', \(bind: query))"
    }
}
