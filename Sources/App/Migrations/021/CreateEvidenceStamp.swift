import Fluent
import SQLKit

/// A number that changes with every change of the kept counts (`evidence_stamps`, one row, moved
/// by a trigger on `evidence_counts`): the trends page keeps what it last read until it moves.
struct CreateEvidenceStamp: AsyncMigration {
    var name: String { "021_CreateEvidenceStamp" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await EvidenceStamp.create(on: sql)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await EvidenceStamp.drop(on: sql)
    }
}
