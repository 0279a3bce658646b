import Domain
import Fluent
import Vapor

/// System admins create and edit the organisations of the network.
struct OrganisationsController: RouteCollection {
    static let access = AccessPolicy.roles([.systemAdmin])

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .organisations, access: Self.access, use: index)
        routes.on(.GET, .organisationNew, access: Self.access, use: new)
        routes.on(.POST, .organisations, access: Self.access, use: create)
        routes.on(.GET, .organisation(.key), access: Self.access, use: edit)
        routes.on(.POST, .organisation(.key), access: Self.access, use: update)
    }

    struct OrganisationRow: Encodable {
        let id: String
        let name: String
        let typeKey: String
        let provinces: [String]
        let active: Bool
        let users: Int
        let href: String
    }

    struct IndexContext: Page {
        static let template = "organisations/index"

        let page: PageChrome
        let organisations: [OrganisationRow]
    }

    struct FormContext: Page {
        static let template = "organisations/form"

        let page: PageChrome
        let csrf: String
        let action: String
        let isNew: Bool
        let name: String
        let types: [KeyedOption]
        let provinces: [KeyedOption]
        let languages: String
        let active: Bool
        let errors: FormErrors
    }

    struct OrganisationForm: Content {
        var name: String?
        var type: String?
        var provinces: [String]?
        var languages: String?
        var active: String?
    }

    @Sendable
    func index(req: Request) async throws -> Response {
        let organisations = try await Organisation.query(on: req.db).sort(\.$name).all()
        let users = try await User.query(on: req.db).all(\.$organisation.$id)
        let counts = Dictionary(grouping: users, by: { $0 }).mapValues(\.count)
        let rows = organisations.map {
            OrganisationRow(
                id: $0.id!.uuidString, name: $0.name, typeKey: $0.organisationType.labelKey,
                provinces: $0.provinceList.map(\.labelKey), active: $0.isActive, users: counts[$0.id!] ?? 0,
                href: SiteURL.organisation(.value($0.id!.uuidString)).path)
        }
        return try await req.render(IndexContext(page: PageChrome(req, titleKey: "organisations.title"), organisations: rows))
    }

    @Sendable
    func new(req: Request) async throws -> Response {
        try await render(
            req, organisation: nil,
            form: OrganisationForm(
                name: "", type: OrganisationType.ngo.rawValue, provinces: [],
                languages: "fr,en", active: "on"), errors: FormErrors())
    }

    private func render(
        _ req: Request, organisation: Organisation?, form: OrganisationForm, errors: FormErrors,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let csrf = req.csrfToken
        let chosen = Set(form.provinces ?? [])
        let context = FormContext(
            page: PageChrome(req, titleKey: organisation == nil ? "organisations.new.title" : "organisations.edit.title"),
            csrf: csrf,
            action: organisation.map { SiteURL.organisation(.value($0.id!.uuidString)).path } ?? SiteURL.organisations.path,
            isNew: organisation == nil, name: form.name ?? "",
            types: OrganisationType.allCases.map { KeyedOption(value: $0.rawValue, labelKey: $0.labelKey, selected: $0.rawValue == form.type) },
            provinces: Province.allCases.map { KeyedOption(value: $0.rawValue, labelKey: $0.labelKey, selected: chosen.contains($0.rawValue)) },
            languages: form.languages ?? "", active: form.active != nil, errors: errors)
        return try await req.render(context, status: status)
    }

    /// Validates every field and reports all problems at once.
    private func validate(_ req: Request, _ form: OrganisationForm, excluding id: UUID?) async throws -> (
        FormErrors, String, OrganisationType?, [Province], [String]
    ) {
        var errors = FormErrors()
        let name = (form.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { errors.add("name", req.t("field.required")) }
        errors.check("name", name, limit: 200, req)
        let type = OrganisationType(rawValue: form.type ?? "")
        if type == nil { errors.add("type", req.t("field.invalid_choice")) }
        let provinces = (form.provinces ?? []).map { Province(rawValue: $0) }
        if provinces.isEmpty { errors.add("provinces", req.t("organisations.error.provinces")) }
        if provinces.contains(where: { $0 == nil }) { errors.add("provinces", req.t("field.invalid_choice")) }
        let languages = (form.languages ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter {
            !$0.isEmpty
        }
        if languages.isEmpty || languages.contains(where: { $0.count > 12 || !$0.allSatisfy { $0.isLetter || $0 == "-" } }) {
            errors.add("languages", req.t("organisations.error.languages"))
        }
        if !name.isEmpty {
            let query = Organisation.query(on: req.db).filter(\.$name == name)
            if let id { query.filter(\.$id != id) }
            if try await query.count() > 0 { errors.add("name", req.t("organisations.error.name_taken")) }
        }
        return (errors, name, type, provinces.compactMap { $0 }, languages)
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let form = (try? req.content.decode(OrganisationForm.self)) ?? OrganisationForm()
        let (errors, name, type, provinces, languages) = try await validate(req, form, excluding: nil)
        guard errors.isEmpty, let type else {
            return try await render(req, organisation: nil, form: form, errors: errors, status: .unprocessableEntity)
        }
        let organisation = Organisation(name: name, type: type, provinces: provinces, languages: languages)
        organisation.isActive = form.active != nil
        let actor = req.auditActor
        let requestID = req.id
        try await req.db.writeTransaction { db in
            try await organisation.create(on: db)
            try await AuditLog.append(
                on: db, actor: actor, action: .organisationCreated, target: organisation.id?.uuidString,
                requestID: requestID, detail: name)
        }
        return req.redirect(to: SiteURL.organisations.path, saved: .organisation)
    }

    private func find(_ req: Request) async throws -> Organisation {
        guard let id = req.parameters.get("id", as: UUID.self), let organisation = try await Organisation.find(id, on: req.db) else {
            throw PageError.notFound
        }
        return organisation
    }

    @Sendable
    func edit(req: Request) async throws -> Response {
        let organisation = try await find(req)
        return try await render(
            req, organisation: organisation,
            form: OrganisationForm(
                name: organisation.name, type: organisation.type, provinces: organisation.provinceList.map(\.rawValue),
                languages: organisation.languages, active: organisation.isActive ? "on" : nil), errors: FormErrors())
    }

    @Sendable
    func update(req: Request) async throws -> Response {
        let organisation = try await find(req)
        let form = (try? req.content.decode(OrganisationForm.self)) ?? OrganisationForm()
        let (errors, name, type, provinces, languages) = try await validate(req, form, excluding: organisation.id)
        guard errors.isEmpty, let type else {
            return try await render(req, organisation: organisation, form: form, errors: errors, status: .unprocessableEntity)
        }
        organisation.name = name
        organisation.type = type.rawValue
        organisation.provinces = provinces.map(\.rawValue).joined(separator: ",")
        organisation.languages = languages.joined(separator: ",")
        let deactivating = organisation.isActive && form.active == nil
        organisation.isActive = form.active != nil
        let actor = req.auditActor
        let requestID = req.id
        try await req.db.writeTransaction { db in
            try await organisation.save(on: db)
            if deactivating {
                // Nobody keeps working for an organisation that was closed.
                let members = try await User.query(on: db).filter(\.$organisation.$id == organisation.id!).all(\.$id)
                for member in members { try await DatabaseSessions.endAll(of: member, on: db) }
            }
            try await AuditLog.append(
                on: db, actor: actor, action: .organisationUpdated, target: organisation.id?.uuidString,
                requestID: requestID, detail: name)
        }
        return req.redirect(to: SiteURL.organisations.path, saved: .organisation)
    }
}
