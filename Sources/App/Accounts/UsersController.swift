import Domain
import Fluent
import Vapor

/// Org admins manage the people of their organisation; system admins create organisations and
/// their first org admin, and never give a role that reads case data (PRODUCT.md: system admins
/// never see an individual case). Nobody gives themselves such a role, and every grant of one is
/// shown to the organisation's other admins and supervisors. One-time links go to the person they
/// are for by e-mail (or to the outbox on the embedded install), never onto an admin's page.
struct UsersController: RouteCollection {
    static let access = AccessPolicy.roles([.orgAdmin, .systemAdmin])

    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .users, access: Self.access, use: index)
        routes.on(.GET, .userNew, access: Self.access, use: new)
        routes.on(.POST, .users, access: Self.access, use: invite)
        routes.on(.GET, .user(.key), access: Self.access, use: show)
        routes.on(.POST, .userAction(.key, .roles), access: Self.access, use: updateRoles)
        routes.on(.POST, .userAction(.key, .deactivate), access: Self.access, use: deactivate)
        routes.on(.POST, .userAction(.key, .reactivate), access: Self.access, use: reactivate)
        routes.on(.POST, .userAction(.key, .resetTwoFactor), access: Self.access, use: resetTwoFactor)
        routes.on(.POST, .userAction(.key, .passwordLink), access: Self.access, use: passwordLink)
    }

    struct UserRow: Encodable {
        let id: String
        let displayName: String
        let email: String
        let organisationName: String
        let roles: [String]
        let active: Bool
        let twoFactor: Bool
        let lastSignIn: String?
        let links: UserLinks
    }

    /// The account's page and the forms that act on it.
    struct UserLinks: Encodable {
        let show: String
        let roles: String
        let deactivate: String
        let reactivate: String
        let resetTwoFactor: String
        let passwordLink: String

        init(_ id: String) {
            show = SiteURL.user(.value(id)).path
            roles = SiteURL.userAction(.value(id), .roles).path
            deactivate = SiteURL.userAction(.value(id), .deactivate).path
            reactivate = SiteURL.userAction(.value(id), .reactivate).path
            resetTwoFactor = SiteURL.userAction(.value(id), .resetTwoFactor).path
            passwordLink = SiteURL.userAction(.value(id), .passwordLink).path
        }
    }

    struct IndexContext: Page {
        static let template = "users/index"

        let page: PageChrome
        let users: [UserRow]
        let showOrganisation: Bool
    }

    struct OrganisationChoice: Encodable {
        let value: String
        let name: String
        let selected: Bool
    }

    struct NewContext: Page {
        static let template = "users/new"

        let page: PageChrome
        let csrf: String
        let email: String
        let displayName: String
        let roles: [KeyedOption]
        let languages: [KeyedOption]
        let organisations: [OrganisationChoice]
        let chooseOrganisation: Bool
        let errors: FormErrors
    }

    struct ShowContext: Page {
        static let template = "users/show"

        let page: PageChrome
        let csrf: String
        let user: UserRow
        let roles: [KeyedOption]
        let notice: String?
        let errors: FormErrors
        let isSelf: Bool
        let canReset: Bool
    }

    struct InviteForm: Content {
        var email: String?
        var displayName: String?
        var roles: [String]?
        var language: String?
        var organisation: String?
    }

    struct RolesForm: Content {
        var roles: [String]?
    }

    // MARK: - Scope

    /// Org admins see their organisation only; the filter is in the query, so a user of another
    /// organisation is simply not found (404).
    func scoped(_ req: Request) throws -> QueryBuilder<User> {
        let current = try req.requireUser()
        let query = User.query(on: req.db).with(\.$organisation)
        if !current.has(.systemAdmin) { query.filter(\.$organisation.$id == current.organisation.id!) }
        return query
    }

    func find(_ req: Request) async throws -> User {
        guard let id = req.parameters.get("id", as: UUID.self), let user = try await scoped(req).filter(\.$id == id).first() else {
            throw PageError.notFound
        }
        return user
    }

    /// Roles the current admin may grant: a system admin only roles that read no case data
    /// (system admin, org admin, network coordinator); an org admin any role but system admin.
    static func grantable(by roles: [Role]) -> [Role] {
        roles.contains(.systemAdmin) ? Role.allCases.filter { !$0.readsCaseData } : Role.allCases.filter { $0 != .systemAdmin }
    }

    func grantable(by current: CurrentUser) -> [Role] { Self.grantable(by: current.roles) }

    /// Whether the current admin may send this person a new password link or reset their second
    /// factor: a system admin never for someone who reads case files (their own organisation's
    /// admins do that), so no sequence of a system admin's actions ends in a case-reading session.
    func mayReset(_ user: User, by current: CurrentUser) -> Bool {
        // An org admin who is also a system admin still resets their own organisation's people.
        let ownOrganisationsAdmin = current.has(.orgAdmin) && user.$organisation.id == current.organisation.id
        return !(current.has(.systemAdmin) && user.roleList.canReadCases && !ownOrganisationsAdmin)
    }

    func row(_ req: Request, _ user: User) -> UserRow {
        UserRow(
            id: user.id!.uuidString, displayName: user.displayName, email: user.email, organisationName: user.organisation.name,
            roles: user.roleList.map(\.labelKey), active: user.isActive, twoFactor: user.hasTwoFactor,
            lastSignIn: req.formatDateTime(user.lastSignInAt), links: UserLinks(user.id!.uuidString))
    }

    // MARK: - Handlers

    @Sendable
    func index(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let users = try await scoped(req).sort(\.$displayName).all()
        return try await req.render(
            IndexContext(
                page: PageChrome(req, titleKey: "users.title"),
                users: users.map { row(req, $0) },
                showOrganisation: current.has(.systemAdmin)))
    }

    @Sendable
    func new(req: Request) async throws -> Response {
        let firstRole: Role = try req.requireUser().has(.systemAdmin) ? .orgAdmin : .caseworker
        return try await renderNew(req, form: InviteForm(roles: [firstRole.rawValue], language: req.language.rawValue), errors: FormErrors())
    }

    func renderNew(_ req: Request, form: InviteForm, errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let current = try req.requireUser()
        let chosen = Set(form.roles ?? [])
        var organisations: [OrganisationChoice] = []
        if current.has(.systemAdmin) {
            organisations = try await Organisation.query(on: req.db).filter(\.$isActive == true).sort(\.$name).all().map {
                OrganisationChoice(
                    value: $0.id!.uuidString, name: $0.name,
                    selected: $0.id!.uuidString == (form.organisation ?? current.organisation.id!.uuidString))
            }
        }
        let csrf = req.csrfToken
        return try await req.render(
            NewContext(
                page: PageChrome(req, titleKey: "users.new.title"), csrf: csrf, email: form.email ?? "", displayName: form.displayName ?? "",
                roles: grantable(by: current).map { KeyedOption(value: $0.rawValue, labelKey: $0.labelKey, selected: chosen.contains($0.rawValue)) },
                languages: Language.allCases.map {
                    KeyedOption(value: $0.rawValue, labelKey: "language.\($0.rawValue)", selected: $0.rawValue == form.language)
                },
                organisations: organisations, chooseOrganisation: !organisations.isEmpty, errors: errors), status: status)
    }

    func parseRoles(_ raw: [String]?, current: CurrentUser, errors: inout FormErrors, req: Request) -> [Role] {
        let values = raw ?? []
        let roles = values.compactMap(Role.init(rawValue:))
        if roles.isEmpty { errors.add("roles", req.t("users.error.roles")) }
        if roles.count != values.count || roles.contains(where: { !grantable(by: current).contains($0) }) {
            errors.add("roles", req.t("field.invalid_choice"))
        }
        return roles
    }

    @Sendable
    func invite(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let form = (try? req.content.decode(InviteForm.self)) ?? InviteForm()
        var errors = FormErrors()
        let email = EmailAddress.normalise(form.email ?? "")
        if email.isEmpty {
            errors.add("email", req.t("field.required"))
        } else if !EmailAddress.isValid(email) {
            errors.add("email", req.t("field.email_invalid"))
        }
        let displayName = (form.displayName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if displayName.isEmpty { errors.add("displayName", req.t("field.required")) }
        errors.check("displayName", displayName, limit: 120, req)
        let roles = parseRoles(form.roles, current: current, errors: &errors, req: req)
        let language = Language(rawValue: form.language ?? "")
        if language == nil { errors.add("language", req.t("field.invalid_choice")) }
        var organisationID = current.organisation.id!
        if current.has(.systemAdmin), let raw = form.organisation {
            if let id = UUID(uuidString: raw), try await Organisation.find(id, on: req.db) != nil {
                organisationID = id
            } else {
                errors.add("organisation", req.t("field.invalid_choice"))
            }
        }
        if errors.isEmpty, try await User.query(on: req.db).filter(\.$email == email).count() > 0 {
            errors.add("email", req.t("users.error.email_taken"))
        }
        guard errors.isEmpty, let language else { return try await renderNew(req, form: form, errors: errors, status: .unprocessableEntity) }

        let user = User(organisationID: organisationID, email: email, displayName: displayName, roles: roles, language: language)
        let token = Secrets.randomToken()
        let expires = req.now.addingTimeInterval(req.config.invitationLifetime)
        let actor = req.auditActor
        let requestID = req.id
        try await req.db.writeTransaction { db in
            try await user.create(on: db)
            try await SetPasswordToken(userID: user.id!, tokenHash: Secrets.sha256Hex(token), expiresAt: expires).create(on: db)
            try await AuditLog.append(
                on: db, actor: actor, action: .userInvited, target: user.id?.uuidString, requestID: requestID,
                detail: Role.storedList(roles))
            if roles.canReadCases {
                try await AuditLog.append(
                    on: db, actor: actor, action: .caseAccessGranted, target: user.id?.uuidString, requestID: requestID,
                    detail: Role.storedList(roles.filter(\.readsCaseData)))
            }
        }
        try await user.$organisation.load(on: req.db)
        let sent = await AccountMail.send(
            .invitation, to: user, organisationName: user.organisation.name,
            link: req.baseURL + SiteURL.setPassword(.value(token)).path, expires: expires, req: req)
        return try await renderShow(req, user: user, notice: req.t(sent ? "users.notice.invited_sent" : "users.notice.invited_unsent", user.email))
    }

}
