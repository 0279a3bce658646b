import Fluent
import SQLKit

/// The directory's first page (no filter, no words) read in name order from an index: twenty
/// listings and a count, where it read and sorted all 20,000 listed services to show twenty
/// (23–33 ms for one request). The status is in the index so the listed ones are told from the
/// others without reading their rows.
struct IndexDirectoryNames: AsyncMigration {
    var name: String { "026_IndexDirectoryNames" }

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX directory_services_name_fr_idx ON directory_services (name_fr, id, status)").run()
        try await sql.raw("CREATE INDEX directory_services_name_en_idx ON directory_services (name_en, id, status)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX IF EXISTS directory_services_name_fr_idx").run()
        try await sql.raw("DROP INDEX IF EXISTS directory_services_name_en_idx").run()
    }
}
