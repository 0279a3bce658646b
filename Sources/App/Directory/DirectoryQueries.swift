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

    /// The services matching the query, sorted by their name in `language`. Every filter but
    /// "open now" is a facet of the search index (`DirectorySearchIndex`), so the index alone finds
    /// the matches: one lookup that intersects the filters and the words.
    static func search(_ query: DirectoryQuery, language: Language, now: Date, timeZone: TimeZone, on db: any Database) async throws
        -> DirectoryPage
    {
        let sql = db as! any SQLDatabase
        let facets = DirectorySearchIndex.required(query)
        let terms = DirectorySearchIndex.terms(query.text)
        let from: SQLQueryString
        var conditions: [SQLQueryString] = []
        if sql.dialect.name == "sqlite" {
            // From the index to the listings (CROSS JOIN keeps that order).
            from = "directory_search CROSS JOIN directory_services ON directory_services.search_key = directory_search.rowid"
            conditions.append("directory_search MATCH \(bind: DirectorySearchIndex.sqliteMatch(facets: facets, terms: terms))")
        } else {
            from = "directory_services"
            let (facetQuery, wordQuery) = DirectorySearchIndex.postgresQueries(facets: facets, terms: terms)
            conditions.append("directory_services.search_facets_tsv @@ to_tsquery('simple', \(bind: facetQuery))")
            if let wordQuery { conditions.append("directory_services.search_tsv @@ to_tsquery('simple', \(bind: wordQuery))") }
        }
        if query.openNow { conditions.append(openNowCondition(now: now, timeZone: timeZone)) }
        let whereClause = conditions.dropFirst().reduce(conditions[0]) { $0 + " AND " + $1 }
        let name = language == .fr ? "name_fr" : "name_en"
        // One pass gives the page and the count (a window over the matches); only a page past
        // the end needs the count alone, to show the last page instead.
        struct Row: Decodable {
            let id: UUID
            let n: Int
        }
        func listing(_ page: Int) async throws -> [Row] {
            try await sql.raw(
                """
                SELECT directory_services.id, COUNT(*) OVER () AS n FROM \(from) WHERE \(whereClause)
                ORDER BY directory_services.\(unsafeRaw: name), directory_services.id
                LIMIT \(unsafeRaw: String(pageSize)) OFFSET \(unsafeRaw: String((page - 1) * pageSize))
                """
            ).all(decoding: Row.self)
        }
        var page = max(1, query.page)
        var rows = try await listing(page)
        var total = rows.first?.n ?? 0
        if rows.isEmpty, page > 1 {
            total = try await sql.raw("SELECT COUNT(*) AS n FROM \(from) WHERE \(whereClause)").first()?.decode(column: "n", as: Int.self) ?? 0
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
