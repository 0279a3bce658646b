import Domain
import Fluent
import Foundation
import Vapor

/// The audit log: org admins read their organisation's events, system admins all of them.
struct AuditController: RouteCollection {
    static let pageSize = 50

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .audit, access: .roles([.orgAdmin, .systemAdmin]), use: index)
    }

    struct EventRow: Encodable {
        let sequence: Int64
        let at: String
        let actor: String
        let actionKey: String
        let target: String
        let outcome: String
        let requestID: String
    }

    struct IndexContext: Page {
        static let template = "audit/index"

        let page: PageChrome
        let events: [EventRow]
        let users: [FormOption]
        let actions: [FormOption]
        let from: String
        let to: String
        let errors: FormErrors
        let previousURL: String?
        let nextURL: String?
        let pageNumber: Int
    }

    struct Filter: Content {
        var user: String?
        var action: String?
        var from: String?
        var to: String?
        @LenientInt var page: Int? = nil
    }

    static func parseDay(_ text: String, timeZone: TimeZone) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1900...2200).contains(parts[0]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: parts[0], month: parts[1], day: parts[2])
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }

    @Sendable
    func index(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let filter = (try? req.query.decode(Filter.self)) ?? Filter()
        var errors = FormErrors()
        let query = AuditEvent.query(on: req.db)
        if !current.has(.systemAdmin) {
            query.filter(\.$organisationID == current.organisation.id!.uuidString)
        }
        if let user = filter.user, !user.isEmpty { query.filter(\.$actorID == user) }
        if let action = filter.action, !action.isEmpty {
            if AuditAction(rawValue: action) != nil { query.filter(\.$action == action) } else { errors.add("action", req.t("field.invalid_choice")) }
        }
        for (field, raw, isEnd) in [("from", filter.from, false), ("to", filter.to, true)] {
            guard let raw, !raw.isEmpty else { continue }
            guard let day = Self.parseDay(raw, timeZone: req.config.timeZone) else {
                errors.add(field, req.t("field.date_invalid"))
                continue
            }
            let milliseconds = Int64(day.timeIntervalSince1970 * 1000) + (isEnd ? 86_400_000 : 0)
            if isEnd { query.filter(\.$occurredAtMilliseconds < milliseconds) } else { query.filter(\.$occurredAtMilliseconds >= milliseconds) }
        }
        let pageNumber = max(1, min(filter.page ?? 1, 100_000))
        let events =
            errors.isEmpty
            ? try await query.sort(\.$sequence, .descending).range((pageNumber - 1) * Self.pageSize..<pageNumber * Self.pageSize + 1).all()
            : []
        let hasNext = events.count > Self.pageSize

        let userQuery = User.query(on: req.db).sort(\.$email)
        if !current.has(.systemAdmin) { userQuery.filter(\.$organisation.$id == current.organisation.id!) }
        let users = try await userQuery.all().map {
            FormOption(value: $0.id!.uuidString, label: $0.email, selected: $0.id!.uuidString == filter.user)
        }
        let actions = req.options(AuditAction.self, selected: [filter.action ?? ""], label: \.labelKey)

        try await req.audit(.auditViewed, target: current.has(.systemAdmin) ? "all" : current.organisation.id?.uuidString)

        func pageURL(_ number: Int) -> String {
            listPageURL(
                SiteURL.audit.path, [("user", filter.user), ("action", filter.action), ("from", filter.from), ("to", filter.to)], page: number)
        }
        let rows = events.prefix(Self.pageSize).map { event in
            EventRow(
                sequence: event.sequence, at: req.formatDateTime(event.occurredAt) ?? "", actor: event.actorEmail ?? "—",
                actionKey: AuditAction(rawValue: event.action)?.labelKey ?? event.action, target: event.target ?? "",
                outcome: req.t("audit.outcome.\(event.outcome)"), requestID: event.requestID ?? "")
        }
        return try await req.render(
            IndexContext(
                page: PageChrome(req, titleKey: "audit.title"), events: Array(rows), users: users, actions: actions,
                from: filter.from ?? "", to: filter.to ?? "", errors: errors,
                previousURL: pageNumber > 1 ? pageURL(pageNumber - 1) : nil, nextURL: hasNext ? pageURL(pageNumber + 1) : nil,
                pageNumber: pageNumber), status: errors.isEmpty ? .ok : .unprocessableEntity)
    }
}
