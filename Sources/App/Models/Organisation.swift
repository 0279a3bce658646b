import Domain
import Fluent
import Foundation

final class Organisation: Model, @unchecked Sendable {
    static let schema = "organisations"
    typealias Id = UUID

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "name") var name: String
    @Field(key: "type") var type: String
    /// Comma-separated province codes.
    @Field(key: "provinces") var provinces: String
    /// Comma-separated language codes (fr, en, and any other the organisation serves in).
    @Field(key: "languages") var languages: String
    @Field(key: "is_active") var isActive: Bool

    init() {}

    /// Listed by hand: Fluent otherwise finds them by reflection for every row it reads or writes.
    var properties: [any AnyProperty] { [$id, $createdAt, $name, $type, $provinces, $languages, $isActive] }

    init(id: UUID? = nil, name: String, type: OrganisationType, provinces: [Province], languages: [String]) {
        self.id = id
        self.name = name
        self.type = type.rawValue
        self.provinces = provinces.map(\.rawValue).joined(separator: ",")
        self.languages = languages.joined(separator: ",")
        self.isActive = true
    }

    var organisationType: OrganisationType { OrganisationType(rawValue: type) ?? .other }
    var provinceList: [Province] { Province.parseList(provinces) }
}
