import Fluent
import SQLKit

/// The directory's results sorted from an index. A search put every match in name order to show
/// twenty, reading each match's whole row (its descriptions in two languages) to find its name;
/// this index holds what the sort needs, so only the page's own rows are read. SQLite only:
/// PostgreSQL reads the matches from the table through its full-text indexes either way.
struct CoverDirectorySort: AsyncMigration {
    var name: String { "025_CoverDirectorySort" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("CREATE INDEX directory_services_search_names_idx ON directory_services (search_key, name_fr, name_en, id)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("DROP INDEX IF EXISTS directory_services_search_names_idx").run()
    }
}
