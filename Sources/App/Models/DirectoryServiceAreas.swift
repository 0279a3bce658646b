import Domain
import Fluent
import Foundation
import SQLKit

/// Keeps `directory_service_areas` (one row per province a service serves) and the search's facet
/// tokens (`search_facets`) current whatever path
/// saves a listing: the edit form, the capacity form, an import, the demo, `passerelle generate`.
struct DirectoryServiceAreas: AsyncModelMiddleware {
    static func provinces(_ stored: String) -> [Province] {
        switch ServiceArea(stored: stored) {
        case .allCanada, .remoteOnly: Province.allCases
        case .provinces(let list): list
        case nil: []
        }
    }

    /// The provinces a listing serves: its area's, and the province it stands in (as the search
    /// always had it).
    static func served(_ service: DirectoryService) -> [Province] {
        Set(Self.provinces(service.serviceArea) + [Province(rawValue: service.province)].compactMap { $0 }).sorted {
            $0.rawValue < $1.rawValue
        }
    }

    /// The search's facet tokens of the listing as it is about to be saved.
    static func setFacets(_ service: DirectoryService) {
        service.searchFacets = DirectorySearchIndex.facets(
            status: service.status, categories: service.categories, languages: service.languages,
            eligibleStatuses: service.eligibleStatuses, region: service.region, provinces: served(service))
    }

    static func write(_ service: DirectoryService, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.delete(from: "directory_service_areas").where("service_id", .equal, service.id!).run()
        let provinces = served(service)
        guard !provinces.isEmpty else { return }
        let insert = sql.insert(into: "directory_service_areas").columns("service_id", "province")
        for province in provinces { insert.values(SQLBind(service.id!), SQLBind(province.rawValue)) }
        try await insert.run()
    }

    func create(model: DirectoryService, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        Self.setFacets(model)
        try await next.create(model, on: db)
        try await Self.write(model, on: db)
    }

    func update(model: DirectoryService, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        Self.setFacets(model)
        try await next.update(model, on: db)
        try await Self.write(model, on: db)
    }
}
