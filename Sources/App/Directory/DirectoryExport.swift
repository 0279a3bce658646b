import Crypto
import Domain
import Fluent
import Foundation
import Vapor

/// The directory as files: an Open Referral HSDS Tabular Data Package (one CSV per object and
/// its `datapackage.json`, HSDS 3.0 field names, French and English text in extension columns)
/// and a plain one-row-per-service CSV with headers in the reader's language, for people coming
/// from spreadsheets. Every cell goes through `CSVWriter` (formula-injection safe). A confidential
/// address is never written: its location has no address row, only the front-door contact.
struct DirectoryExportController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .directoryCSV, access: .signedIn, use: plain)
        routes.on(.GET, .directoryHSDS(.key), access: .signedIn, use: hsds)
    }

    /// The package's tables, in the order of `datapackage.json`.
    static let tables: [(name: String, fields: [String])] = [
        ("organizations", ["id", "name", "description", "website"]),
        (
            "services",
            [
                "id", "organization_id", "name", "description", "email", "url", "status", "fees_description", "eligibility_description",
                "minimum_age", "maximum_age", "assured_date", "name_fr", "name_en", "description_fr", "description_en", "categories",
                "eligible_immigration_statuses",
            ]
        ),
        ("locations", ["id", "organization_id", "location_type", "name", "region", "confidential", "front_door"]),
        ("addresses", ["id", "location_id", "address_1", "city", "state_province", "postal_code", "country", "address_type"]),
        ("service_at_locations", ["id", "service_id", "location_id"]),
        ("phones", ["id", "service_id", "number"]),
        ("languages", ["id", "service_id", "name", "code"]),
        ("service_areas", ["id", "service_id", "name", "extent_type"]),
        ("schedules", ["id", "service_id", "freq", "byday", "opens_at", "closes_at"]),
        ("service_capacity", ["id", "service_id", "available", "maximum", "unit", "updated"]),
    ]

    /// A stable UUID for a row derived from a service (its location, phone…), so two exports of
    /// the same directory give the same ids and a re-import updates instead of duplicating.
    static func derivedID(_ id: UUID, _ kind: String) -> String {
        var bytes = Array(SHA256.hash(data: Data("\(id.uuidString)/\(kind)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = bytes.withUnsafeBytes { $0.load(as: uuid_t.self) }
        return UUID(uuid: uuid).uuidString.lowercased()
    }

    static func all(on db: any Database) async throws -> [(DirectoryService, DirectoryOrganisation)] {
        let services = try await DirectoryService.query(on: db).sort(\.$nameFR).all()
        let organisations = Dictionary(uniqueKeysWithValues: try await DirectoryOrganisation.query(on: db).all().map { ($0.id!, $0) })
        return services.compactMap { service in organisations[service.organisationID].map { (service, $0) } }
    }

    /// The rows of one table of the package.
    static func rows(_ table: String, _ listings: [(DirectoryService, DirectoryOrganisation)]) -> [[String]] {
        func id(_ uuid: UUID?) -> String { uuid?.uuidString.lowercased() ?? "" }
        func day(_ date: Date?) -> String { date.map { Day($0).description } ?? "" }
        switch table {
        case "organizations":
            var seen = Set<UUID>()
            return listings.compactMap { _, organisation in
                guard seen.insert(organisation.id!).inserted else { return nil }
                return [id(organisation.id), organisation.name, organisation.name, organisation.website ?? ""]
            }
        case "services":
            return listings.map { service, organisation in
                [
                    id(service.id), id(organisation.id), service.nameEN, service.descriptionEN, service.email, service.website,
                    ServiceStatus(rawValue: service.status)?.hsdsValue ?? service.status, service.feesEN, "",
                    service.minimumAge.map(String.init) ?? "", service.maximumAge.map(String.init) ?? "", day(service.verifiedOn),
                    service.nameFR, service.nameEN, service.descriptionFR, service.descriptionEN, service.categories, service.eligibleStatuses,
                ]
            }
        case "locations":
            return listings.map { service, organisation in
                [
                    derivedID(service.id!, "location"), id(organisation.id),
                    service.serviceArea == ServiceArea.remoteOnly.stored ? "virtual" : "physical",
                    service.city, service.region, service.confidential ? "true" : "false", service.confidential ? service.frontDoor : "",
                ]
            }
        case "addresses":
            // Never a confidential address.
            return listings.filter { !$0.0.confidential }.map { service, _ in
                [
                    derivedID(service.id!, "address"), derivedID(service.id!, "location"), service.address, service.city, service.province,
                    service.postalCode, "CA", "physical",
                ]
            }
        case "service_at_locations":
            return listings.map { service, _ in [derivedID(service.id!, "service_at_location"), id(service.id), derivedID(service.id!, "location")] }
        case "phones":
            return listings.filter { !$0.0.phone.isEmpty }.map { service, _ in [derivedID(service.id!, "phone"), id(service.id), service.phone] }
        case "languages":
            return listings.flatMap { service, _ in
                service.languages.split(separator: ",").map { code in
                    [derivedID(service.id!, "language-\(code)"), id(service.id), String(code), String(code)]
                }
            }
        case "service_areas":
            return listings.map { service, _ in
                let name: String =
                    switch ServiceArea(stored: service.serviceArea) {
                    case .allCanada: "CA"
                    case .remoteOnly: "remote"
                    case .provinces(let list): list.map(\.rawValue).joined(separator: " ")
                    case nil: ""
                    }
                return [derivedID(service.id!, "service_area"), id(service.id), name, "province_territory"]
            }
        case "schedules":
            return listings.flatMap { service, _ in
                Weekday.allCases.compactMap { weekday -> [String]? in
                    guard let range = service.openingHours.days[weekday] else { return nil }
                    return [
                        derivedID(service.id!, "schedule-\(weekday.rawValue)"), id(service.id), "WEEKLY",
                        String(weekday.rawValue.prefix(2)).uppercased(),
                        OpeningHours.text(range.opens), OpeningHours.text(min(range.closes, 1439)),
                    ]
                }
            }
        case "service_capacity":
            return listings.compactMap { service, _ in
                guard let available = service.capacityAvailable, let maximum = service.capacityMaximum else { return nil }
                return [
                    derivedID(service.id!, "capacity"), id(service.id), String(available), String(maximum), service.capacityUnit ?? "",
                    service.capacityUpdatedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "",
                ]
            }
        default: return []
        }
    }

    /// `datapackage.json`: the package's resources and their fields (Frictionless Tabular Data Package).
    static func datapackage() -> Data {
        let resources: [[String: Any]] = tables.map { table in
            [
                "name": table.name, "path": "\(table.name).csv", "profile": "tabular-data-resource", "encoding": "utf-8",
                "schema": ["fields": table.fields.map { ["name": $0, "type": "string"] }, "primaryKey": "id"],
            ]
        }
        let package: [String: Any] = [
            "name": "passerelle-directory", "profile": "tabular-data-package", "title": "Passerelle — service directory (HSDS 3.0)",
            "licenses": [["name": "CC-BY-4.0"]], "resources": resources,
        ]
        return (try? JSONSerialization.data(withJSONObject: package, options: [.prettyPrinted, .sortedKeys])) ?? Data()
    }

    static func csvResponse(_ body: String, filename: String) -> Response {
        let response = Response(status: .ok, body: .init(string: body))
        response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename)\"")
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable
    func hsds(req: Request) async throws -> Response {
        guard let file = req.parameters.get("file") else { throw PageError.notFound }
        if file == "datapackage.json" {
            let response = Response(status: .ok, body: .init(data: Self.datapackage()))
            response.headers.replaceOrAdd(name: .contentType, value: "application/json; charset=utf-8")
            return response
        }
        guard file.hasSuffix(".csv"), let table = Self.tables.first(where: { "\($0.name).csv" == file }) else { throw PageError.notFound }
        let rows = Self.rows(table.name, try await Self.all(on: req.db))
        // Machine files: no byte-order mark (Frictionless reads UTF-8 as declared).
        return Self.csvResponse(CSVWriter.document([table.fields] + rows, byteOrderMark: false), filename: file)
    }

    /// One row per service, headers in the reader's language.
    @Sendable
    func plain(req: Request) async throws -> Response {
        let keys = [
            "directory.csv.id", "directory.service.title", "directory.csv.organisation", "directory.csv.status", "directory.category",
            "directory.language", "directory.eligibility", "directory.province", "directory.place", "directory.region", "directory.address",
            "directory.front_door", "directory.phone", "directory.email", "directory.website", "directory.area", "directory.manage.available",
            "directory.manage.maximum", "directory.csv.unit", "directory.verified",
        ]
        var lines = [keys.map { req.t($0) }]
        for (service, organisation) in try await Self.all(on: req.db) {
            lines.append([
                service.id!.uuidString.lowercased(), req.language == .fr ? service.nameFR : service.nameEN, organisation.name,
                ServiceStatus(rawValue: service.status).map { req.t($0.labelKey) } ?? service.status,
                DirectoryController.list(ServiceCategory.self, service.categories, req), DirectoryController.languageNames(service.languages, req),
                DirectoryController.eligibility(service.eligibleStatuses, req),
                Province(rawValue: service.province).map { req.t($0.labelKey) } ?? service.province,
                service.city, RegionKind(rawValue: service.region).map { req.t($0.labelKey) } ?? service.region,
                service.confidential ? req.t("directory.csv.confidential") : service.address, service.confidential ? service.frontDoor : "",
                service.phone, service.email, service.website, service.serviceArea, service.capacityAvailable.map(String.init) ?? "",
                service.capacityMaximum.map(String.init) ?? "",
                service.capacityUnit.flatMap(CapacityUnit.init(rawValue:)).map { req.t($0.labelKey) } ?? "",
                service.verifiedOn.map { Day($0).description } ?? "",
            ])
        }
        return Self.csvResponse(CSVWriter.document(lines), filename: "passerelle-directory.csv")
    }
}
