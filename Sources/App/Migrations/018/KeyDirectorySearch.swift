import Fluent
import SQLKit

/// SQLite's directory index keyed by an integer column of the service (`search_key`) instead of
/// its text id: a search that matched most listings read every match's id back from the index's
/// content and looked it up by text (0.2 s for 20,000 services); now it joins on an integer
/// index. The key is a column, not the rowid, which VACUUM may renumber. PostgreSQL is unchanged.
struct KeyDirectorySearch: AsyncMigration {
    var name: String { "018_KeyDirectorySearch" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        for event in ["insert", "update", "delete"] { try await sql.raw("DROP TRIGGER IF EXISTS directory_search_\(unsafeRaw: event)").run() }
        try await sql.raw("DROP TABLE IF EXISTS directory_search").run()
        try await sql.raw("ALTER TABLE directory_services ADD COLUMN search_key INTEGER").run()
        try await sql.raw("UPDATE directory_services SET search_key = rowid").run()
        try await sql.raw("CREATE UNIQUE INDEX directory_services_search_key_idx ON directory_services (search_key)").run()
        try await Self.createIndex(on: sql)
        try await sql.raw("INSERT INTO directory_search (rowid, body) SELECT search_key, search_text FROM directory_services").run()
    }

    func revert(on database: any Database) async throws {}

    /// The index and its triggers as this migration made them (frozen: 023 replaced them).
    private static func createIndex(on sql: any SQLDatabase) async throws {
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
