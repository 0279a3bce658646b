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

/// A listing as results show it, with its organisation's name and today's hours: the search
/// reads exactly these columns in its one query (no Fluent model of fifty fields per row); a
/// service's own page makes one from its model.
struct DirectoryListing: Sendable {
    let id: UUID
    let nameFR: String
    let nameEN: String
    let descriptionFR: String
    let descriptionEN: String
    let organisationName: String
    let status: String
    let categories: String
    let languages: String
    let eligibleStatuses: String
    let province: String
    let city: String
    let region: String
    let serviceArea: String
    let confidential: Bool
    let capacityAvailable: Int?
    let capacityMaximum: Int?
    let capacityUnit: String?
    let capacityUpdatedAt: Date?
    let verifiedOn: Date?
    /// Today's hours where the organisations work; nil when closed today.
    let today: OpeningHours.Range?

    init(_ service: DirectoryService, _ organisation: DirectoryOrganisation, today: Weekday) {
        id = service.id!
        nameFR = service.nameFR
        nameEN = service.nameEN
        descriptionFR = service.descriptionFR
        descriptionEN = service.descriptionEN
        organisationName = organisation.name
        status = service.status
        categories = service.categories
        languages = service.languages
        eligibleStatuses = service.eligibleStatuses
        province = service.province
        city = service.city
        region = service.region
        serviceArea = service.serviceArea
        confidential = service.confidential
        capacityAvailable = service.capacityAvailable
        capacityMaximum = service.capacityMaximum
        capacityUnit = service.capacityUnit
        capacityUpdatedAt = service.capacityUpdatedAt
        verifiedOn = service.verifiedOn
        self.today = service.openingHours.days[today]
    }

    /// The row of the search's query, read column by column (Codable's keyed containers were a
    /// twentieth of a search's time).
    fileprivate struct Row {
        let id: UUID
        let name_fr, name_en, description_fr, description_en, organisation_name: String
        let status, categories, languages, eligible_statuses, province, city, region, service_area: String
        let confidential: Bool
        let capacity_available, capacity_maximum: Int?
        let capacity_unit: String?
        let capacity_updated_at, verified_on: Date?
        let today_opens, today_closes: Int?
        let n: Int

        init(_ row: any SQLRow) throws {
            func text(_ column: String) throws -> String { try row.decode(column: column, as: String.self) }
            func optional<T: Decodable>(_ column: String, _ type: T.Type) throws -> T? {
                try row.decodeNil(column: column) ? nil : try row.decode(column: column, as: T.self)
            }
            id = try row.uuid("id")
            (name_fr, name_en, description_fr, description_en) = (
                try text("name_fr"), try text("name_en"), try text("description_fr"), try text("description_en")
            )
            organisation_name = try text("organisation_name")
            (status, categories, languages, eligible_statuses) = (
                try text("status"), try text("categories"), try text("languages"), try text("eligible_statuses")
            )
            (province, city, region, service_area) = (try text("province"), try text("city"), try text("region"), try text("service_area"))
            confidential = try row.decode(column: "confidential", as: Bool.self)
            capacity_available = try optional("capacity_available", Int.self)
            capacity_maximum = try optional("capacity_maximum", Int.self)
            capacity_unit = try optional("capacity_unit", String.self)
            capacity_updated_at = try optional("capacity_updated_at", Date.self)
            verified_on = try optional("verified_on", Date.self)
            today_opens = try optional("today_opens", Int.self)
            today_closes = try optional("today_closes", Int.self)
            n = try row.decode(column: "n", as: Int.self)
        }
    }

    fileprivate init(_ row: Row) {
        id = row.id
        nameFR = row.name_fr
        nameEN = row.name_en
        descriptionFR = row.description_fr
        descriptionEN = row.description_en
        organisationName = row.organisation_name
        status = row.status
        categories = row.categories
        languages = row.languages
        eligibleStatuses = row.eligible_statuses
        province = row.province
        city = row.city
        region = row.region
        serviceArea = row.service_area
        confidential = row.confidential
        capacityAvailable = row.capacity_available
        capacityMaximum = row.capacity_maximum
        capacityUnit = row.capacity_unit
        capacityUpdatedAt = row.capacity_updated_at
        verifiedOn = row.verified_on
        today = row.today_opens.flatMap { opens in row.today_closes.map { OpeningHours.Range(opens: opens, closes: $0) } }
    }

    /// The columns of `Row`, today's hours read from the weekday's two columns.
    fileprivate static func columns(today: Weekday) -> String {
        let service = [
            "id", "name_fr", "name_en", "description_fr", "description_en", "status", "categories", "languages", "eligible_statuses", "province",
            "city", "region", "service_area", "confidential", "capacity_available", "capacity_maximum", "capacity_unit", "capacity_updated_at",
            "verified_on",
        ].map { "directory_services.\($0)" }
        return
            (service + [
                "directory_organisations.name AS organisation_name", "directory_services.\(today.rawValue)_opens AS today_opens",
                "directory_services.\(today.rawValue)_closes AS today_closes",
            ]).joined(separator: ", ")
    }
}

/// A page of results with how many match in all.
struct DirectoryPage: Sendable {
    let services: [DirectoryListing]
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
        // Without a filter or a word the page is every listed service: read in name order from
        // migration 026's index, twenty at a time, and counted apart. The index's match for
        // "listed" would hold every listing, all of them read and sorted for twenty.
        let everyListed = facets.isEmpty && terms.isEmpty && !query.openNow
        let from: SQLQueryString
        var conditions: [SQLQueryString] = []
        if everyListed {
            from = "directory_services"
            conditions.append("directory_services.status IN (\(SQLList(listedStatuses.map { SQLBind($0) })))")
        } else if sql.dialect.name == "sqlite" {
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
        let columns = DirectoryListing.columns(today: today(now: now, timeZone: timeZone))
        // One query gives the page, its listings and the count (a window over the matches); only
        // a page past the end needs the count alone, to show the last page instead. The matches
        // are sorted by their keys and names alone (on SQLite from migration 025's index), and
        // only the page's twenty rows are read whole.
        // SQLite: from the page to the listings by rowid (CROSS JOIN keeps that order).
        let (key, join) = sql.dialect.name == "sqlite" ? ("rowid", "CROSS JOIN") : ("id", "JOIN")
        let count = everyListed ? "0" : "COUNT(*) OVER ()"
        func counted() async throws -> Int {
            try await sql.raw("SELECT COUNT(*) AS n FROM \(from) WHERE \(whereClause)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        func listing(_ page: Int) async throws -> [DirectoryListing.Row] {
            try await db.rows(
                """
                SELECT \(unsafeRaw: columns), page.n FROM (SELECT directory_services.\(unsafeRaw: key) AS page_key, \(unsafeRaw: count) AS n \
                FROM \(from) WHERE \(whereClause) ORDER BY directory_services.\(unsafeRaw: name), directory_services.id \
                LIMIT \(unsafeRaw: String(pageSize)) OFFSET \(unsafeRaw: String((page - 1) * pageSize))) AS page \
                \(unsafeRaw: join) directory_services ON directory_services.\(unsafeRaw: key) = page.page_key \
                JOIN directory_organisations ON directory_organisations.id = directory_services.directory_organisation_id \
                ORDER BY directory_services.\(unsafeRaw: name), directory_services.id
                """
            ).map(DirectoryListing.Row.init)
        }
        var page = max(1, query.page)
        if everyListed {
            // Counted first, so a page past the end is the last one without walking the index to it.
            let total = try await counted()
            page = max(1, min(page, (total + pageSize - 1) / pageSize))
            let rows = total > 0 ? try await listing(page) : []
            return DirectoryPage(services: rows.map(DirectoryListing.init), total: total, page: page)
        }
        var rows = try await listing(page)
        var total = rows.first?.n ?? 0
        if rows.isEmpty, page > 1 {
            total = try await counted()
            page = max(1, min(page, (total + pageSize - 1) / pageSize))
            if total > 0 { rows = try await listing(page) }
        }
        return DirectoryPage(services: rows.map(DirectoryListing.init), total: total, page: page)
    }

    /// The weekday at `now` where the organisations work.
    static func today(now: Date, timeZone: TimeZone) -> Weekday {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return Weekday(gregorian: calendar.component(.weekday, from: now))
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
