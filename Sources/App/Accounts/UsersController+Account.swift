import Domain
import Fluent
import Vapor

extension UsersController {
    // MARK: - One account

    @Sendable
    func show(req: Request) async throws -> Response {
        let user = try await find(req)
        let notice: String? =
            switch req.query[String.self, at: "notice"] {
            case "deactivated": req.t("users.notice.deactivated")
            case "reactivated": req.t("users.notice.reactivated")
            case "two_factor": req.t("users.notice.two_factor_reset", user.email)
            case "link": req.t("users.notice.link_sent", user.email)
            case "link_unsent": req.t("users.notice.link_unsent", user.email)
            case "two_factor_unsent": req.t("users.notice.two_factor_unsent", user.email)
            case "roles": req.t("users.notice.roles_changed")
            default: nil
            }
        return try await renderShow(req, user: user, notice: notice)
    }

    func renderShow(
        _ req: Request, user: User, notice: String? = nil,
        errors: FormErrors = FormErrors(), status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let current = try req.requireUser()
        let csrf = req.csrfToken
        let held = Set(user.roleList)
        return try await req.render(
            ShowContext(
                page: PageChrome(req, titleKey: "users.show.title"), csrf: csrf, user: row(req, user),
                roles: grantable(by: current).map { KeyedOption(value: $0.rawValue, labelKey: $0.labelKey, selected: held.contains($0)) },
                notice: notice, errors: errors, isSelf: user.id == current.user.id, canReset: mayReset(user, by: current)),
            status: status)
    }

    @Sendable
    func updateRoles(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let user = try await find(req)
        var errors = FormErrors()
        let roles = parseRoles((try? req.content.decode(RolesForm.self))?.roles, current: current, errors: &errors, req: req)
        // Roles the current admin cannot grant are never taken away by them either: a system
        // admin's role by an org admin, a caseworker's by a system admin.
        let held = user.roleList
        let kept = held.filter { !grantable(by: current).contains($0) }
        let newRoles = Array(Set(roles + kept)).sorted()
        let added = newRoles.filter { !held.contains($0) }
        if user.id == current.user.id, !Set(newRoles).contains(where: { [.orgAdmin, .systemAdmin].contains($0) }) {
            errors.add("roles", req.t("users.error.own_admin_role"))
        }
        // Nobody opens case files to themselves: another admin must give the role.
        if user.id == current.user.id, added.contains(where: \.readsCaseData) {
            errors.add("roles", req.t("users.error.self_case_access"))
        }
        guard errors.isEmpty else { return try await renderShow(req, user: user, errors: errors, status: .unprocessableEntity) }
        user.roles = Role.storedList(newRoles)
        let actor = req.auditActor
        let requestID = req.id
        let stored = user.roles
        try await req.db.writeTransaction { db in
            try await user.save(on: db)
            try await AuditLog.append(
                on: db, actor: actor, action: .userRolesChanged, target: user.id?.uuidString, requestID: requestID, detail: stored)
            if added.contains(where: \.readsCaseData) {
                try await AuditLog.append(
                    on: db, actor: actor, action: .caseAccessGranted, target: user.id?.uuidString, requestID: requestID,
                    detail: Role.storedList(added.filter(\.readsCaseData)))
            }
        }
        return req.redirect(to: SiteURL.user(.value(user.id!.uuidString)).path + "?notice=roles")
    }

    @Sendable
    func deactivate(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let user = try await find(req)
        guard user.id != current.user.id else {
            var errors = FormErrors()
            errors.add("form", req.t("users.error.self_deactivate"))
            return try await renderShow(req, user: user, errors: errors, status: .unprocessableEntity)
        }
        user.isActive = false
        try await req.auditedWrite(.userDeactivated, target: user.id?.uuidString) { db in
            try await user.save(on: db)
            // Every session ends at once, on every instance, since sessions live in the database.
            try await DatabaseSessions.endAll(of: user.id!, on: db)
        }
        return req.redirect(to: SiteURL.user(.value(user.id!.uuidString)).path + "?notice=deactivated")
    }

    @Sendable
    func reactivate(req: Request) async throws -> Response {
        let user = try await find(req)
        user.isActive = true
        try await req.auditedWrite(.userReactivated, target: user.id?.uuidString) { db in
            try await user.save(on: db)
        }
        return req.redirect(to: SiteURL.user(.value(user.id!.uuidString)).path + "?notice=reactivated")
    }

    @Sendable
    func resetTwoFactor(req: Request) async throws -> Response {
        let user = try await find(req)
        guard mayReset(user, by: try req.requireUser()) else { throw PageError.forbidden }
        user.totpSecret = nil
        user.totpLastStep = nil
        try await req.auditedWrite(.twoFactorReset, target: user.id?.uuidString) { db in
            try await user.save(on: db)
            // The lost phone may be in someone else's hands: end the sessions it opened too.
            try await DatabaseSessions.endAll(of: user.id!, on: db)
        }
        // The person learns of it by e-mail: if they did not ask for it, they tell someone.
        let sent = await AccountMail.send(.twoFactorReset, to: user, organisationName: user.organisation.name, link: nil, expires: nil, req: req)
        return req.redirect(to: SiteURL.user(.value(user.id!.uuidString)).path + (sent ? "?notice=two_factor" : "?notice=two_factor_unsent"))
    }

    /// A new one-time link for someone who forgot their password or lost the invitation.
    @Sendable
    func passwordLink(req: Request) async throws -> Response {
        let user = try await find(req)
        guard mayReset(user, by: try req.requireUser()) else { throw PageError.forbidden }
        let token = Secrets.randomToken()
        let expires = req.now.addingTimeInterval(req.config.invitationLifetime)
        let actor = req.auditActor
        let requestID = req.id
        try await req.db.writeTransaction { db in
            // Earlier links stop working.
            try await SetPasswordToken.query(on: db).filter(\.$user.$id == user.id!).filter(\.$usedAt == nil).set(\.$usedAt, to: req.now).update()
            try await SetPasswordToken(userID: user.id!, tokenHash: Secrets.sha256Hex(token), expiresAt: expires).create(on: db)
            try await AuditLog.append(
                on: db, actor: actor, action: .userInvited, target: user.id?.uuidString, requestID: requestID,
                detail: "password-link")
        }
        let sent = await AccountMail.send(
            .passwordLink, to: user, organisationName: user.organisation.name,
            link: req.baseURL + SiteURL.setPassword(.value(token)).path, expires: expires, req: req)
        return req.redirect(to: SiteURL.user(.value(user.id!.uuidString)).path + (sent ? "?notice=link" : "?notice=link_unsent"))
    }
}
