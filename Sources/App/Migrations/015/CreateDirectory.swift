import Fluent
import SQLKit

/// The service directory (HSDS shape), its change history and its full-text index: SQLite FTS5
/// kept by triggers, PostgreSQL a generated `tsvector` with a GIN index (`DirectorySearchIndex`).
struct CreateDirectory: AsyncMigration {
    var name: String { "015_CreateDirectory" }

    func prepare(on database: any Database) async throws {
        try await database.schema("directory_organisations")
            .id()
            .field("name", .string, .required)
            .field("member_organisation_id", .uuid, .references("organisations", "id", onDelete: .setNull))
            .field("website", .string)
            .field("updated_at", .datetime, .required)
            .create()
        var services = database.schema("directory_services")
            .id()
            .field("directory_organisation_id", .uuid, .required, .references("directory_organisations", "id", onDelete: .cascade))
        for text in [
            "name_fr", "name_en", "description_fr", "description_en", "status", "categories", "languages", "eligible_statuses", "fees_fr",
            "fees_en", "accessibility_fr", "accessibility_en", "hours", "phone", "email", "website", "province", "city", "region", "address",
            "postal_code", "front_door", "service_area", "search_text",
        ] {
            services = services.field(.string(text), .string, .required)
        }
        services = services.field("minimum_age", .int).field("maximum_age", .int).field("gender", .string)
            .field("confidential", .bool, .required)
            .field("capacity_available", .int).field("capacity_maximum", .int).field("capacity_unit", .string)
            .field("capacity_updated_at", .datetime).field("verified_on", .datetime)
        for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
            services = services.field(.string("\(day)_opens"), .int).field(.string("\(day)_closes"), .int)
        }
        try await services.field("version", .int, .required).field("updated_at", .datetime, .required).create()
        try await database.schema("directory_changes")
            .id()
            .field("service_id", .uuid, .required, .references("directory_services", "id", onDelete: .cascade))
            .field("at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_email", .string)
            .field("action", .string, .required)
            .field("changes", .string, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX directory_services_province_idx ON directory_services (province, status)").run()
        try await sql.raw("CREATE INDEX directory_services_org_idx ON directory_services (directory_organisation_id)").run()
        try await sql.raw("CREATE INDEX directory_changes_service_idx ON directory_changes (service_id, at)").run()
        try await Self.createSearchIndex(on: sql)
    }

    /// The index as this migration made it, frozen here (018 replaced it).
    private static func createSearchIndex(on sql: any SQLDatabase) async throws {
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

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase { try await DirectorySearchIndex.drop(on: sql) }
        try await database.schema("directory_changes").delete()
        try await database.schema("directory_services").delete()
        try await database.schema("directory_organisations").delete()
    }
}
