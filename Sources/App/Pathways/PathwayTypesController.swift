import Domain
import Fluent
import Foundation
import Vapor

/// System admins edit pathway types. A change never alters what existing applications were made
/// under: it creates a new version and makes it the current one.
struct PathwayTypesController: RouteCollection {
    static let access = AccessPolicy.roles([.systemAdmin])

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .pathways, access: Self.access, use: index)
        routes.on(.GET, .pathway(.key), access: Self.access, use: edit)
        routes.on(.POST, .pathway(.key), access: Self.access, use: update)
    }

    struct Row: Encodable {
        let code: String
        let name: String
        let version: Int
        let items: Int
        let href: String
    }

    struct IndexContext: Page {
        static let template = "pathways/index"

        let page: PageChrome
        let rows: [Row]
    }

    @Sendable
    func index(req: Request) async throws -> Response {
        let rows = try await PathwayType.query(on: req.db).filter(\.$isCurrent == true).sort(\.$code).all()
            .map {
                Row(
                    code: $0.code, name: $0.name(req.language), version: $0.version, items: $0.checklistItems.count,
                    href: SiteURL.pathway(.value($0.code)).path)
            }
        return try await req.render(IndexContext(page: PageChrome(req, titleKey: "pathways.title"), rows: rows))
    }

    struct Form: Content {
        var nameFR: String?
        var nameEN: String?
        var checklist: String?
        var typicalValidityDays: String?
        var minimumDays: String?
        var maximumDays: String?
        var minimumMonths: String?
        var minimumMonthsFrom: String?
        var renewable: String?
    }

    struct EditContext: Page {
        static let template = "pathways/edit"

        let page: PageChrome
        let csrf: String
        let code: String
        let action: String
        let version: Int
        let form: [String: String]
        let renewable: Bool
        let errors: FormErrors
    }

    private func current(_ req: Request) async throws -> PathwayType {
        guard let code = req.parameters.get("code"),
            let pathway = try await PathwayType.query(on: req.db).filter(\.$code == code).filter(\.$isCurrent == true).first()
        else { throw PageError.notFound }
        return pathway
    }

    /// One checklist item per line: `key | français | English | required` (or `optional`).
    static func checklistText(_ items: [PathwayType.ChecklistItem]) -> String {
        items.map { "\($0.key) | \($0.fr) | \($0.en) | \($0.required ? "required" : "optional")" }.joined(separator: "\n")
    }

    static func parseChecklist(_ text: String) -> [PathwayType.ChecklistItem]? {
        var items: [PathwayType.ChecklistItem] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 4, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }),
                !parts[1].isEmpty, !parts[2].isEmpty, ["required", "optional"].contains(parts[3].lowercased()),
                parts.allSatisfy({ TextInput.problem($0, limit: 200, singleLine: true) == nil })
            else { return nil }
            items.append(.init(key: parts[0], fr: parts[1], en: parts[2], required: parts[3].lowercased() == "required"))
        }
        return Set(items.map(\.key)).count == items.count ? items : nil
    }

    @Sendable
    func edit(req: Request) async throws -> Response {
        let pathway = try await current(req)
        let rules = pathway.validityRules
        let form: [String: String] = [
            "nameFR": pathway.nameFR, "nameEN": pathway.nameEN, "checklist": Self.checklistText(pathway.checklistItems),
            "typicalValidityDays": pathway.typicalValidityDays.map(String.init) ?? "", "minimumDays": rules.minimumDays.map(String.init) ?? "",
            "maximumDays": rules.maximumDays.map(String.init) ?? "", "minimumMonths": rules.minimumMonths.map(String.init) ?? "",
            "minimumMonthsFrom": rules.minimumMonthsFrom ?? "",
        ]
        return try await req.render(
            EditContext(
                page: PageChrome(req, titleKey: "pathways.edit"), csrf: req.csrfToken, code: pathway.code,
                action: SiteURL.pathway(.value(pathway.code)).path,
                version: pathway.version, form: form, renewable: rules.renewable, errors: FormErrors()))
    }

    @Sendable
    func update(req: Request) async throws -> Response {
        let pathway = try await current(req)
        let form = (try? req.content.decode(Form.self)) ?? Form()
        var errors = FormErrors()
        let nameFR = (form.nameFR ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let nameEN = (form.nameEN ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if nameFR.isEmpty { errors.add("nameFR", req.t("field.required")) }
        if nameEN.isEmpty { errors.add("nameEN", req.t("field.required")) }
        // Names reach calendars, e-mails and CSV files: one line, and a limit.
        errors.check("nameFR", nameFR, limit: 200, req)
        errors.check("nameEN", nameEN, limit: 200, req)
        let checklist = Self.parseChecklist(form.checklist ?? "")
        if checklist == nil { errors.add("checklist", req.t("pathways.error.checklist")) }
        func days(_ raw: String?, _ field: String) -> Int? {
            let text = (raw ?? "").trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { return nil }
            guard let value = Int(text), (1...36_500).contains(value) else {
                errors.add(field, req.t("pathways.error.number"))
                return nil
            }
            return value
        }
        let typical = days(form.typicalValidityDays, "typicalValidityDays")
        let minimum = days(form.minimumDays, "minimumDays")
        let maximum = days(form.maximumDays, "maximumDays")
        let months = days(form.minimumMonths, "minimumMonths")
        let from = (form.minimumMonthsFrom ?? "").trimmingCharacters(in: .whitespaces)
        if !from.isEmpty, Day(from) == nil { errors.add("minimumMonthsFrom", req.t("field.date_invalid")) }
        if let minimum, let maximum, minimum > maximum { errors.add("maximumDays", req.t("pathways.error.order")) }
        let values: [String: String] = [
            "nameFR": nameFR, "nameEN": nameEN, "checklist": form.checklist ?? "", "typicalValidityDays": form.typicalValidityDays ?? "",
            "minimumDays": form.minimumDays ?? "", "maximumDays": form.maximumDays ?? "", "minimumMonths": form.minimumMonths ?? "",
            "minimumMonthsFrom": from,
        ]
        guard errors.isEmpty, let checklist else {
            return try await req.render(
                EditContext(
                    page: PageChrome(req, titleKey: "pathways.edit"), csrf: req.csrfToken, code: pathway.code,
                    action: SiteURL.pathway(.value(pathway.code)).path,
                    version: pathway.version, form: values, renewable: form.renewable != nil, errors: errors),
                status: .unprocessableEntity)
        }
        let rules = ValidityRules(
            minimumDays: minimum, maximumDays: maximum, minimumMonths: months, minimumMonthsFrom: from.isEmpty ? nil : from,
            renewable: form.renewable != nil)
        let next = PathwayDefaults.make(pathway.code, nameFR, nameEN, checklist, rules, typical: typical)
        next.version = pathway.version + 1
        let actor = req.auditActor
        let requestID = req.id
        try await req.db.writeTransaction { db in
            pathway.isCurrent = false
            try await pathway.save(on: db)
            try await next.create(on: db)
            try await AuditLog.append(
                on: db, actor: actor, action: .pathwayChanged, target: pathway.code, requestID: requestID, detail: "v\(next.version)")
        }
        return req.redirect(to: SiteURL.pathways.path, saved: .pathway)
    }
}
