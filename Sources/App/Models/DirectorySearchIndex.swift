import Domain
import SQLKit

/// Full-text search of the directory over `directory_services.search_text` (names and
/// descriptions in both languages, folded in Swift by `NameTokens`, so accents and case match
/// alike on both databases): SQLite's FTS5, kept by triggers; PostgreSQL's `tsvector`, a generated
/// column with a GIN index. Not `LIKE`. Created by migration 015.
enum DirectorySearchIndex {
    static func create(on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            try await sql.raw(
                "CREATE VIRTUAL TABLE directory_search USING fts5(service_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')"
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER directory_search_insert AFTER INSERT ON directory_services
                BEGIN INSERT INTO directory_search (service_id, body) VALUES (NEW.id, NEW.search_text); END
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER directory_search_update AFTER UPDATE OF search_text ON directory_services
                BEGIN DELETE FROM directory_search WHERE service_id = OLD.id;
                INSERT INTO directory_search (service_id, body) VALUES (NEW.id, NEW.search_text); END
                """
            ).run()
            try await sql.raw(
                """
                CREATE TRIGGER directory_search_delete AFTER DELETE ON directory_services
                BEGIN DELETE FROM directory_search WHERE service_id = OLD.id; END
                """
            ).run()
        } else {
            try await sql.raw(
                "ALTER TABLE directory_services ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
            ).run()
            try await sql.raw("CREATE INDEX directory_services_search_idx ON directory_services USING GIN (search_tsv)").run()
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
            return "directory_services.id IN (SELECT service_id FROM directory_search WHERE directory_search MATCH \(bind: match))"
        }
        let query = terms.map { "\($0):*" }.joined(separator: " & ")
        return "directory_services.search_tsv @@ to_tsquery('simple', \(bind: query))"
    }
}
