import Domain
import Fluent
import Vapor

/// What every user manages for themselves: password, language, two-factor, sessions.
struct AccountController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .account, access: .signedIn, use: show)
        routes.on(.POST, .accountPassword, access: .signedIn, use: changePassword)
        routes.on(.POST, .accountLanguage, access: .signedIn, use: changeLanguage)
        routes.on(.POST, .accountDigest, access: .signedIn, use: changeDigest)
        routes.on(.GET, .accountTwoFactor, access: .signedIn, use: twoFactorPage)
        routes.on(.POST, .accountTwoFactor, access: .signedIn, use: replaceTwoFactor)
        routes.on(.GET, .sessions, access: .signedIn, use: sessions)
        routes.on(.POST, .sessionEnd(.key), access: .signedIn, use: endSession)
        routes.on(.POST, .sessionsEndOthers, access: .signedIn, use: endOthers)
    }

    struct AccountContext: Page {
        static let template = "account/show"

        let page: PageChrome
        let csrf: String
        let email: String
        let displayName: String
        let organisationName: String
        let language: String
        let twoFactorEnabled: Bool
        let errors: FormErrors
        let notice: String?
        let minimumLength: Int
        let showsDigest: Bool
        let digestEnabled: Bool
    }

    struct SessionView: Encodable {
        let id: String
        let createdAt: String
        let lastSeenAt: String
        let userAgent: String
        let address: String
        let current: Bool
        let endURL: String
    }

    struct SessionsContext: Page {
        static let template = "account/sessions"

        let page: PageChrome
        let csrf: String
        let sessions: [SessionView]
        let notice: String?
    }

    struct TwoFactorContext: Page {
        static let template = "account/two-factor"

        let page: PageChrome
        let csrf: String
        let secret: String
        let uri: String
        let errors: FormErrors
    }

    struct PasswordChangeForm: Content {
        var current: String?
        var password: String?
        var confirmation: String?
    }

    struct LanguageForm: Content {
        var language: String?
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let notice: String? =
            switch req.query[String.self, at: "notice"] {
            case "password": req.t("account.notice.password_changed")
            case "language": req.t("account.notice.language_changed")
            case "two_factor": req.t("account.notice.two_factor_replaced")
            case "digest": req.t("account.notice.digest")
            default: nil
            }
        return try await render(req, errors: FormErrors(), notice: notice)
    }

    private func render(_ req: Request, errors: FormErrors, notice: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let current = try req.requireUser()
        let csrf = req.csrfToken
        return try await req.render(
            AccountContext(
                page: PageChrome(req, titleKey: "account.title"), csrf: csrf, email: current.user.email,
                displayName: current.user.displayName, organisationName: current.organisation.name,
                language: current.user.language, twoFactorEnabled: current.user.hasTwoFactor, errors: errors, notice: notice,
                minimumLength: PasswordPolicy.minimumLength, showsDigest: current.roles.canReadCases, digestEnabled: current.user.digestEnabled),
            status: status)
    }

    @Sendable
    func changePassword(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let form = (try? req.content.decode(PasswordChangeForm.self)) ?? PasswordChangeForm()
        var errors = FormErrors()
        let currentOK = try await req.application.passwordService.verify(
            form.current ?? "", against: current.user.passwordHash,
            on: req.application.threadPool)
        if !currentOK { errors.add("current", req.t("account.error.current_password")) }
        let password = form.password ?? ""
        for problem in req.application.passwordService.policy.problems(
            password: password, confirmation: form.confirmation ?? "",
            email: current.user.email)
        {
            errors.add(problem == .mismatch ? "confirmation" : "password", req.t(problem.rawValue, String(PasswordPolicy.minimumLength)))
        }
        guard errors.isEmpty else { return try await render(req, errors: errors, status: .unprocessableEntity) }
        let hash = try await req.application.passwordService.hash(password, on: req.application.threadPool)
        let user = current.user
        user.passwordHash = hash
        let actor = req.auditActor
        let requestID = req.id
        let keep = req.currentSessionRecordID
        try await req.db.writeTransaction { db in
            try await user.save(on: db)
            // A changed password ends every other session: whoever knew the old one is out.
            try await DatabaseSessions.endAll(of: user.id!, except: keep, on: db)
            try await AuditLog.append(on: db, actor: actor, action: .passwordChanged, target: user.id?.uuidString, requestID: requestID)
        }
        return req.redirect(to: SiteURL.account.path + "?notice=password")
    }

    @Sendable
    func changeLanguage(req: Request) async throws -> Response {
        let current = try req.requireUser()
        guard let raw = (try? req.content.decode(LanguageForm.self))?.language, let language = Language(rawValue: raw) else {
            var errors = FormErrors()
            errors.add("language", req.t("field.invalid_choice"))
            return try await render(req, errors: errors, status: .unprocessableEntity)
        }
        let user = current.user
        user.language = language.rawValue
        req.setLanguage(language)
        let actor = req.auditActor
        let requestID = req.id
        try await req.db.writeTransaction { db in
            try await user.save(on: db)
            try await AuditLog.append(
                on: db, actor: actor, action: .languageChanged, target: user.id?.uuidString,
                requestID: requestID, detail: language.rawValue)
        }
        let response = req.redirect(to: SiteURL.account.path + "?notice=language")
        response.cookies["lang"] = HTTPCookies.Value(
            string: language.rawValue, maxAge: 365 * 24 * 3600, path: "/",
            isSecure: req.config.isHTTPS, isHTTPOnly: true, sameSite: .lax)
        return response
    }

    struct DigestForm: Content {
        var digest: String?
    }

    /// The daily deadline digest: on by default, each person may turn it off.
    @Sendable
    func changeDigest(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let enabled = (try? req.content.decode(DigestForm.self))?.digest == "on"
        let user = current.user
        user.digestEnabled = enabled
        try await req.auditedWrite(.digestChanged, target: user.id?.uuidString, detail: enabled ? "on" : "off") { db in
            try await user.save(on: db)
        }
        return req.redirect(to: SiteURL.account.path + "?notice=digest")
    }

    @Sendable
    func twoFactorPage(req: Request) async throws -> Response {
        try await renderTwoFactor(req, errors: FormErrors())
    }

    private func renderTwoFactor(_ req: Request, errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let current = try req.requireUser()
        let secret = req.session.data["totp_setup"] ?? TwoFactor.newSecret()
        req.session.data["totp_setup"] = secret
        let csrf = req.csrfToken
        return try await req.render(
            TwoFactorContext(
                page: PageChrome(req, titleKey: "account.two_factor.title"), csrf: csrf, secret: TwoFactor.grouped(secret),
                uri: TwoFactor.provisioningURI(secret: secret, account: current.user.email), errors: errors), status: status)
    }

    /// Sets up (or replaces) the user's own authenticator; the new secret counts only once a
    /// code from it has been typed.
    @Sendable
    func replaceTwoFactor(req: Request) async throws -> Response {
        let current = try req.requireUser()
        guard let secret = req.session.data["totp_setup"] else { return req.redirect(to: SiteURL.accountTwoFactor.path) }
        let code = (try? req.content.decode(TwoFactorCodeForm.self))?.code ?? ""
        let subject = current.user.id!.uuidString
        var errors = FormErrors()
        if try await SignInThrottle.isLocked(scope: .secondFactor, subject: subject, on: req.db, now: req.now) {
            errors.add("code", req.t("login.error.throttled"))
            return try await renderTwoFactor(req, errors: errors, status: .tooManyRequests)
        }
        guard let step = TwoFactor.acceptedStep(code: code, secret: secret, lastStep: nil) else {
            try await req.db.writeTransaction { try await SignInThrottle.recordFailure(scope: .secondFactor, subject: subject, on: $0, now: req.now) }
            errors.add("code", req.t(code.isEmpty ? "field.required" : "two_factor.error.invalid"))
            return try await renderTwoFactor(req, errors: errors, status: .unprocessableEntity)
        }
        let user = current.user
        user.totpSecret = try TwoFactor.seal(secret, userID: user.id!, master: req.application.masterKey)
        user.totpLastStep = step
        req.session.data["totp_setup"] = nil
        try await req.auditedWrite(.twoFactorEnabled, target: user.id?.uuidString) { db in
            try await user.save(on: db)
        }
        return req.redirect(to: SiteURL.account.path + "?notice=two_factor")
    }

    @Sendable
    func sessions(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let records = try await BrowserSession.query(on: req.db).filter(\.$userID == current.user.id!)
            .sort(\.$lastSeenAt, .descending).all()
        let views = records.map { record in
            SessionView(
                id: record.id!.uuidString, createdAt: req.formatDateTime(record.createdAt) ?? "",
                lastSeenAt: req.formatDateTime(record.lastSeenAt) ?? "", userAgent: record.userAgent ?? "—",
                address: record.address ?? "—", current: record.id == req.currentSessionRecordID,
                endURL: SiteURL.sessionEnd(.value(record.id!.uuidString)).path)
        }
        let notice = req.query[String.self, at: "notice"] == "ended" ? req.t("sessions.notice.ended") : nil
        let csrf = req.csrfToken
        return try await req.render(
            SessionsContext(
                page: PageChrome(req, titleKey: "sessions.title"),
                csrf: csrf, sessions: views, notice: notice))
    }

    @Sendable
    func endSession(req: Request) async throws -> Response {
        let current = try req.requireUser()
        // Only one's own sessions: another user's id answers 404 like an unknown one.
        guard let id = req.parameters.get("id", as: UUID.self),
            let record = try await BrowserSession.query(on: req.db).filter(\.$id == id).filter(\.$userID == current.user.id!).first()
        else { throw PageError.notFound }
        try await req.auditedWrite(.sessionEnded, target: id.uuidString) { db in
            try await record.delete(on: db)
        }
        if id == req.currentSessionRecordID {
            req.session.destroy()
            return req.redirect(to: SiteURL.login.path)
        }
        return req.redirect(to: SiteURL.sessions.path + "?notice=ended")
    }

    @Sendable
    func endOthers(req: Request) async throws -> Response {
        let current = try req.requireUser()
        let actor = req.auditActor
        let requestID = req.id
        let keep = req.currentSessionRecordID
        try await req.db.writeTransaction { db in
            try await DatabaseSessions.endAll(of: current.user.id!, except: keep, on: db)
            try await AuditLog.append(on: db, actor: actor, action: .sessionEnded, target: "others", requestID: requestID)
        }
        return req.redirect(to: SiteURL.sessions.path + "?notice=ended")
    }
}
