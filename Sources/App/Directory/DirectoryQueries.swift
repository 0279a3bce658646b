import Domain
import Fluent
import Foundation
import SQLKit

/// What the directory's search asks: every field combines with the others (AND); an unknown
/// value is no filter, as on the case list.
struct DirectoryQuery: Sendable, Equatable {
    var province: Province?
    var region: RegionKind?
    var category: ServiceCategory?
    /// An ISO 639 code.
    var language: String?
    /// The person's immigration status: services open to it (or to everyone).
    var eligibility: ImmigrationStatus?
    var openNow = false
    var text = ""
    var page = 1
}

/// A page of results with how many match in all.
struct DirectoryPage: Sendable {
    let services: [(service: DirectoryService, organisation: DirectoryOrganisation)]
    let total: Int
    let page: Int

    var hasNext: Bool { page * DirectoryQueries.pageSize < total }
}

enum DirectoryQueries {
    static let pageSize = 20
    /// Listed by default: the ones a person can be sent to now or soon.
    static let listedStatuses = [ServiceStatus.active.rawValue, ServiceStatus.temporarilyClosed.rawValue]

    /// The services matching the query, sorted by their name in `language`.
    static func search(_ query: DirectoryQuery, language: Language, now: Date, timeZone: TimeZone, on db: any Database) async throws
        -> DirectoryPage
    {
        let sql = db as! any SQLDatabase
        func filtered(_ select: some SQLPredicateBuilder) {
            select.where(SQLColumn("status", table: "directory_services"), .in, SQLBind.group(listedStatuses))
            if let province = query.province {
                select.where(
                    SQLQueryString(
                        """
                        directory_services.id IN (SELECT service_id FROM directory_service_areas WHERE province = \(bind: province.rawValue))
                        """))
            }
            if let region = query.region { select.where(SQLColumn("region", table: "directory_services"), .equal, SQLBind(region.rawValue)) }
            if let category = query.category {
                select.where(SQLQueryString("(',' || directory_services.categories || ',') LIKE \(bind: "%,\(category.rawValue),%")"))
            }
            if let language = query.language {
                select.where(SQLQueryString("(',' || directory_services.languages || ',') LIKE \(bind: "%,\(language),%")"))
            }
            if let status = query.eligibility {
                select.where(
                    SQLQueryString(
                        """
                        (directory_services.eligible_statuses = '' \
                        OR (',' || directory_services.eligible_statuses || ',') LIKE \(bind: "%,\(status.rawValue),%"))
                        """))
            }
            if query.openNow { select.where(openNowCondition(now: now, timeZone: timeZone)) }
            let terms = DirectorySearchIndex.terms(query.text)
            if !terms.isEmpty { select.where(DirectorySearchIndex.matching(terms, dialect: sql.dialect.name)) }
        }
        // One pass gives the page and the count (a window over the matches); only a page past
        // the end needs the count alone, to show the last page instead.
        struct Row: Decodable {
            let id: UUID
            let n: Int
        }
        func listing(_ page: Int) async throws -> [Row] {
            let select = sql.select().column(SQLColumn("id", table: "directory_services"))
                .column(SQLRaw("COUNT(*) OVER ()"), as: "n").from("directory_services")
            filtered(select)
            return try await select.orderBy(SQLColumn(language == .fr ? "name_fr" : "name_en", table: "directory_services"))
                .orderBy(SQLColumn("id", table: "directory_services")).limit(pageSize).offset((page - 1) * pageSize)
                .all(decoding: Row.self)
        }
        var page = max(1, query.page)
        var rows = try await listing(page)
        var total = rows.first?.n ?? 0
        if rows.isEmpty, page > 1 {
            struct Count: Decodable { let n: Int }
            let counting = sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("directory_services")
            filtered(counting)
            total = try await counting.first(decoding: Count.self)?.n ?? 0
            page = max(1, min(page, (total + pageSize - 1) / pageSize))
            if total > 0 { rows = try await listing(page) }
        }
        let ids = rows.map(\.id)
        guard !ids.isEmpty else { return DirectoryPage(services: [], total: total, page: page) }
        let services = try await DirectoryService.query(on: db).filter(\.$id ~~ ids).all()
        let organisations = try await DirectoryOrganisation.query(on: db).filter(\.$id ~~ Set(services.map(\.organisationID))).all()
        let byID = Dictionary(uniqueKeysWithValues: organisations.map { ($0.id!, $0) })
        let order = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        return DirectoryPage(
            services: services.sorted { order[$0.id!]! < order[$1.id!]! }.compactMap { service in byID[service.organisationID].map { (service, $0) }
            },
            total: total, page: page)
    }

    /// Open at this minute where the organisations work: today's range, or last night's running past midnight.
    static func openNowCondition(now: Date, timeZone: TimeZone) -> SQLQueryString {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: now)
        let today = Weekday(gregorian: parts.weekday ?? 2)
        let yesterday = Weekday.allCases[(Weekday.allCases.firstIndex(of: today)! + 6) % 7]
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        let (o, c, po, pc) = ("\(today.rawValue)_opens", "\(today.rawValue)_closes", "\(yesterday.rawValue)_opens", "\(yesterday.rawValue)_closes")
        return """
            ((directory_services.\(unsafeRaw: o) <= \(bind: minute) AND directory_services.\(unsafeRaw: o) < directory_services.\(unsafeRaw: c) \
            AND \(bind: minute) < directory_services.\(unsafeRaw: c)) \
            OR (directory_services.\(unsafeRaw: o) >= directory_services.\(unsafeRaw: c) AND \(bind: minute) >= directory_services.\(unsafeRaw: o)) \
            OR (directory_services.\(unsafeRaw: po) >= directory_services.\(unsafeRaw: pc) AND \(bind: minute) < directory_services.\(unsafeRaw: pc)))
            """
    }

    /// One service with its organisation, or nil.
    static func service(_ id: UUID, on db: any Database) async throws -> (DirectoryService, DirectoryOrganisation)? {
        guard let service = try await DirectoryService.find(id, on: db),
            let organisation = try await DirectoryOrganisation.find(service.organisationID, on: db)
        else { return nil }
        return (service, organisation)
    }

    /// A listing's changes, newest first.
    static func history(of id: UUID, on db: any Database) async throws -> [DirectoryChange] {
        try await DirectoryChange.query(on: db).filter(\.$serviceID == id).sort(\.$at, .descending).limit(50).all()
    }
}
