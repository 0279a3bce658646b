import Fluent
import Foundation

/// A supporting document. Its name and content are sealed with the case's data key; only the
/// detected type and the size stay in clear.
final class CaseDocument: Model, @unchecked Sendable {
    static let schema = "case_documents"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "sealed_name") var sealedName: Data
    @Field(key: "type") var type: String
    @Field(key: "size") var size: Int
    @OptionalField(key: "uploaded_by") var uploadedBy: UUID?
    @Field(key: "uploaded_at") var uploadedAt: Date
    @Field(key: "sealed_content") var sealedContent: Data

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $caseID, $sealedName, $type, $size, $uploadedBy, $uploadedAt, $sealedContent] }
}
