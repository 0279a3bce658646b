import Fluent

struct AddChecklistDocuments: AsyncMigration {
    var name: String { "008_AddChecklistDocuments" }

    func prepare(on database: any Database) async throws {
        try await database.schema("applications").field("checklist_documents", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("applications").deleteField("checklist_documents").update()
    }
}
