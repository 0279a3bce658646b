import Fluent
import SQLKit

/// One row per province or territory a service serves (all thirteen for "all of Canada" and
/// "remote"; its own province always), kept by `DirectoryServiceAreas` on every save: a search by province reads the
/// services of that province through an index instead of testing each listing's area text.
struct CreateServiceAreas: AsyncMigration {
    var name: String { "019_CreateServiceAreas" }

    func prepare(on database: any Database) async throws {
        try await database.schema("directory_service_areas")
            .field("service_id", .uuid, .required, .references("directory_services", "id", onDelete: .cascade))
            .field("province", .string, .required)
            .unique(on: "service_id", "province")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX directory_service_areas_province_idx ON directory_service_areas (province, service_id)").run()
        // Backfill by column name, as the table stood at this migration.
        let provinces = ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]
        for province in provinces {
            try await sql.raw(
                """
                INSERT INTO directory_service_areas (service_id, province)
                SELECT id, \(bind: province) FROM directory_services
                WHERE service_area IN ('all', 'remote') OR province = \(bind: province)
                OR (',' || service_area || ',') LIKE \(bind: "%,\(province),%")
                """
            ).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("directory_service_areas").delete()
    }
}
