import Domain
import Fluent
import Vapor

/// Sign-in (password, then two-factor), two-factor set-up at first sign-in, sign-out, and the
/// one-time set-password links of invitations.
struct AuthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .root, access: .public, use: root)
        routes.on(.GET, .login, access: .public, use: loginPage)
        routes.on(.POST, .login, access: .public, use: login)
        routes.on(.GET, .twoFactor, access: .secondFactorPending, use: twoFactorPage)
        routes.on(.POST, .twoFactor, access: .secondFactorPending, use: twoFactor)
        routes.on(.GET, .twoFactorSetup, access: .secondFactorPending, use: setupPage)
        routes.on(.POST, .twoFactorSetup, access: .secondFactorPending, use: setup)
        routes.on(.POST, .logout, access: .public, use: logout)
        routes.on(.GET, .setPassword(.key), access: .public, use: setPasswordPage)
        routes.on(.POST, .setPassword(.key), access: .public, use: setPassword)
    }

    // MARK: - Contexts

    struct LoginContext: Page {
        static let template = "auth/login"

        let page: PageChrome
        let csrf: String
        let email: String
        let errors: FormErrors
        let notice: String?
        /// The page to go back to after signing in (a path of this site).
        let next: String?
    }

    /// Pages never returned to after signing in (they would loop or end the new session).
    static let noReturnPaths = [SiteURL.login.path, SiteURL.logout.path, SiteURL.twoFactor.path, SiteURL.twoFactorSetup.path]

    /// Which page asks for a code: signing in, or setting up the app.
    protocol CodeStep: Sendable { static var template: String { get } }
    enum SignInCode: CodeStep { static let template = "auth/two-factor" }
    enum SetUpCode: CodeStep { static let template = "auth/two-factor-setup" }

    struct CodeContext<Step: CodeStep>: Page {
        static var template: String { Step.template }

        let page: PageChrome
        let csrf: String
        let errors: FormErrors
        /// Only on set-up: the secret to type into the app, grouped, and the otpauth URI.
        let secret: String?
        let uri: String?
        let action: String
    }

    struct SetPasswordContext: Page {
        static let template = "auth/set-password"

        let page: PageChrome
        let csrf: String
        let email: String
        let action: String
        let errors: FormErrors
        let minimumLength: Int
    }

    struct LoginForm: Content {
        var email: String?
        var password: String?
        var next: String?
    }

    struct NewPasswordForm: Content {
        var password: String?
        var confirmation: String?
    }

    // MARK: - Handlers

    @Sendable
    func root(req: Request) async throws -> Response {
        req.redirect(to: req.currentUser == nil ? SiteURL.login.path : SiteURL.home.path)
    }

    @Sendable
    func loginPage(req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(to: SiteURL.home.path) }
        let notice: String? =
            switch req.query[String.self, at: "notice"] {
            case "password_set": req.t("login.notice.password_set")
            case "signed_out": req.t("login.notice.signed_out")
            default: nil
            }
        return try await renderLogin(req, email: "", errors: FormErrors(), notice: notice, next: req.query[String.self, at: "next"])
    }

    func renderLogin(
        _ req: Request, email: String, errors: FormErrors, notice: String? = nil, next: String? = nil,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let csrf = req.csrfToken
        return try await req.render(
            LoginContext(
                page: PageChrome(req, titleKey: "login.title"), csrf: csrf,
                email: email, errors: errors, notice: notice, next: ReturnPath.validated(next, refusing: Self.noReturnPaths)), status: status)
    }

    @Sendable
    func login(req: Request) async throws -> Response {
        let form = (try? req.content.decode(LoginForm.self)) ?? LoginForm()
        let typedEmail = String((form.email ?? "").prefix(EmailAddress.maximumLength + 10))
        let password = form.password ?? ""
        var errors = FormErrors()
        if typedEmail.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("email", req.t("field.required")) }
        if password.isEmpty { errors.add("password", req.t("field.required")) }
        if password.count > PasswordPolicy.maximumLength * 4 { errors.add("password", req.t("password.too_long")) }
        guard errors.isEmpty else {
            return try await renderLogin(req, email: typedEmail, errors: errors, next: form.next, status: .unprocessableEntity)
        }

        let email = EmailAddress.normalise(typedEmail)
        // What is kept of a failed attempt (audit log, throttling table): the e-mail only when it
        // is one. A password typed into the e-mail field is never stored.
        let recorded = EmailAddress.isValid(email) ? email : "invalid-email"
        let address = req.clientAddress ?? "unknown"
        let now = req.now
        let accountLocked = try await SignInThrottle.isLocked(scope: .account, subject: recorded, on: req.db, now: now)
        let addressLocked = try await SignInThrottle.isLocked(scope: .address, subject: address, on: req.db, now: now)
        if accountLocked || addressLocked {
            try await req.audit(
                .signInThrottled, target: recorded, outcome: .denied, actor: AuditActor(userID: nil, email: recorded, organisationID: nil))
            errors.add("form", req.t("login.error.throttled"))
            return try await renderLogin(req, email: typedEmail, errors: errors, next: form.next, status: .tooManyRequests)
        }

        let user = try await User.query(on: req.db).filter(\.$email == email).with(\.$organisation).first()
        // Always verify against a hash (a decoy when the e-mail is unknown) so that the answer
        // takes the same time whether or not the account exists.
        let passwordOK = try await req.application.passwordService.verify(password, against: user?.passwordHash, on: req.application.threadPool)
        guard passwordOK, let user, user.isActive, user.organisation.isActive else {
            let requestID = req.id
            try await req.db.writeTransaction { db in
                try await SignInThrottle.recordFailure(scope: .account, subject: recorded, on: db, now: now)
                try await SignInThrottle.recordFailure(scope: .address, subject: address, on: db, now: now)
                if let user {
                    user.failedSinceLastSignIn += 1
                    try await user.save(on: db)
                }
                try await AuditLog.append(
                    on: db, actor: AuditActor(userID: user?.id, email: recorded, organisationID: user?.$organisation.id),
                    action: .signInFailed, target: recorded, outcome: .failure, requestID: requestID)
            }
            errors.add("form", req.t("login.error.invalid"))
            return try await renderLogin(req, email: typedEmail, errors: errors, next: form.next, status: .unauthorized)
        }

        try await req.db.writeTransaction { try await SignInThrottle.clear(scope: .account, subject: email, on: $0) }
        let needsSecondFactor = user.hasTwoFactor || (req.config.requireTwoFactor && !user.twoFactorExempt)
        if needsSecondFactor {
            var keep = [DatabaseSessions.userKey: user.id!.uuidString, "auth": AuthLevel.password.rawValue]
            keep["next"] = ReturnPath.validated(form.next, refusing: Self.noReturnPaths)
            try await req.rotateSession(keeping: keep)
            return req.redirect(to: user.hasTwoFactor ? SiteURL.twoFactor.path : SiteURL.twoFactorSetup.path)
        }
        return try await completeSignIn(req, user: user, detail: "password", next: form.next)
    }

    /// The last step of every successful sign-in: a fresh session at full level, the previous
    /// sign-in and the failures since kept for the home page, and the audit event.
    func completeSignIn(_ req: Request, user: User, detail: String, next: String? = nil) async throws -> Response {
        // Back to the page that asked for the sign-in (kept in the session across the second factor).
        let destination = ReturnPath.validated(next ?? req.session.data["next"], refusing: Self.noReturnPaths) ?? SiteURL.home.path
        var data: [String: String] = [
            DatabaseSessions.userKey: user.id!.uuidString, "auth": AuthLevel.full.rawValue,
            "failed_since": String(user.failedSinceLastSignIn),
        ]
        if let previous = user.lastSignInAt { data["previous_sign_in"] = String(previous.timeIntervalSince1970) }
        user.lastSignInAt = req.now
        user.failedSinceLastSignIn = 0
        let actor = AuditActor(userID: user.id, email: user.email, organisationID: user.$organisation.id)
        let requestID = req.id
        try await req.db.writeTransaction { db in
            try await user.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: .signIn, target: user.id?.uuidString, requestID: requestID, detail: detail)
        }
        try await req.rotateSession(keeping: data)
        return req.redirect(to: destination)
    }

    @Sendable
    func twoFactorPage(req: Request) async throws -> Response {
        guard let pending = req.pendingUser else { return req.redirect(to: SiteURL.login.path) }
        if !pending.user.hasTwoFactor { return req.redirect(to: SiteURL.twoFactorSetup.path) }
        return try await renderCode(req, SignInCode.self, titleKey: "two_factor.title", errors: FormErrors())
    }

    func renderCode<Step: CodeStep>(
        _ req: Request, _ step: Step.Type, titleKey: String, errors: FormErrors, secret: String? = nil,
        account: String? = nil, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let csrf = req.csrfToken
        let context = CodeContext<Step>(
            page: PageChrome(req, titleKey: titleKey), csrf: csrf, errors: errors,
            secret: secret.map(TwoFactor.grouped),
            uri: secret.flatMap { secret in account.map { TwoFactor.provisioningURI(secret: secret, account: $0) } },
            action: req.url.path)
        return try await req.render(context, status: status)
    }

    @Sendable
    func twoFactor(req: Request) async throws -> Response {
        guard let pending = req.pendingUser, let stored = pending.user.totpSecret,
            let secret = TwoFactor.open(stored, userID: pending.user.id!, master: req.application.masterKey)
        else { return req.redirect(to: SiteURL.login.path) }
        let code = (try? req.content.decode(TwoFactorCodeForm.self))?.code ?? ""
        let user = pending.user
        let subject = user.id!.uuidString
        var errors = FormErrors()
        if try await SignInThrottle.isLocked(scope: .secondFactor, subject: subject, on: req.db, now: req.now) {
            try await req.audit(.twoFactorFailed, target: subject, outcome: .denied, actor: actor(of: pending))
            errors.add("code", req.t("login.error.throttled"))
            return try await renderCode(req, SignInCode.self, titleKey: "two_factor.title", errors: errors, status: .tooManyRequests)
        }
        guard let step = TwoFactor.acceptedStep(code: code, secret: secret, lastStep: user.totpLastStep) else {
            try await recordCodeFailure(req, pending: pending)
            errors.add("code", req.t(code.isEmpty ? "field.required" : "two_factor.error.invalid"))
            return try await renderCode(req, SignInCode.self, titleKey: "two_factor.title", errors: errors, status: .unprocessableEntity)
        }
        user.totpLastStep = step
        return try await completeSignIn(req, user: user, detail: "totp")
    }

    func actor(of current: CurrentUser) -> AuditActor {
        AuditActor(userID: current.user.id, email: current.user.email, organisationID: current.organisation.id)
    }

    func recordCodeFailure(_ req: Request, pending: CurrentUser) async throws {
        let subject = pending.user.id!.uuidString
        let actor = actor(of: pending)
        let requestID = req.id
        try await req.db.writeTransaction { db in
            try await SignInThrottle.recordFailure(scope: .secondFactor, subject: subject, on: db, now: req.now)
            try await AuditLog.append(on: db, actor: actor, action: .twoFactorFailed, target: subject, outcome: .failure, requestID: requestID)
        }
    }

    @Sendable
    func setupPage(req: Request) async throws -> Response {
        guard let pending = req.pendingUser else { return req.redirect(to: SiteURL.login.path) }
        if pending.user.hasTwoFactor { return req.redirect(to: SiteURL.twoFactor.path) }
        let secret = req.session.data["totp_setup"] ?? TwoFactor.newSecret()
        req.session.data["totp_setup"] = secret
        return try await renderCode(
            req, SetUpCode.self, titleKey: "two_factor.setup.title", errors: FormErrors(),
            secret: secret, account: pending.user.email)
    }

    @Sendable
    func setup(req: Request) async throws -> Response {
        guard let pending = req.pendingUser, !pending.user.hasTwoFactor else { return req.redirect(to: SiteURL.login.path) }
        guard let secret = req.session.data["totp_setup"] else { return req.redirect(to: SiteURL.twoFactorSetup.path) }
        let code = (try? req.content.decode(TwoFactorCodeForm.self))?.code ?? ""
        var errors = FormErrors()
        if try await SignInThrottle.isLocked(scope: .secondFactor, subject: pending.user.id!.uuidString, on: req.db, now: req.now) {
            errors.add("code", req.t("login.error.throttled"))
            return try await renderCode(
                req, SetUpCode.self, titleKey: "two_factor.setup.title", errors: errors,
                secret: secret, account: pending.user.email, status: .tooManyRequests)
        }
        guard let step = TwoFactor.acceptedStep(code: code, secret: secret, lastStep: nil) else {
            try await recordCodeFailure(req, pending: pending)
            errors.add("code", req.t(code.isEmpty ? "field.required" : "two_factor.error.invalid"))
            return try await renderCode(
                req, SetUpCode.self, titleKey: "two_factor.setup.title", errors: errors,
                secret: secret, account: pending.user.email, status: .unprocessableEntity)
        }
        let user = pending.user
        user.totpSecret = try TwoFactor.seal(secret, userID: user.id!, master: req.application.masterKey)
        user.totpLastStep = step
        let actor = actor(of: pending)
        let requestID = req.id
        try await req.db.writeTransaction { db in
            try await user.save(on: db)
            try await AuditLog.append(on: db, actor: actor, action: .twoFactorEnabled, target: user.id?.uuidString, requestID: requestID)
        }
        return try await completeSignIn(req, user: user, detail: "totp-setup")
    }

    @Sendable
    func logout(req: Request) async throws -> Response {
        if let current = req.currentUser ?? req.pendingUser {
            try await req.audit(.signOut, target: req.currentSessionRecordID?.uuidString, actor: actor(of: current))
        }
        if req.hasSession, let id = req.session.id {
            try await DatabaseSessions.delete(id, on: req.db)
        }
        req.session.destroy()
        return req.redirect(to: SiteURL.login.path + "?notice=signed_out")
    }

}

/// Failed attempts in the database, so every instance sees the same counts.
enum SignInThrottle {
    enum Scope: String {
        case account, address
        case secondFactor = "totp"

        var policy: ThrottlePolicy {
            switch self {
            case .account: .perAccount
            case .address: .perAddress
            case .secondFactor: .secondFactor
            }
        }
    }

    static func isLocked(scope: Scope, subject: String, on db: any Database, now: Date) async throws -> Bool {
        let policy = scope.policy
        let failures = try await SignInFailure.query(on: db)
            .filter(\.$scope == scope.rawValue).filter(\.$subject == subject)
            .filter(\.$at > policy.windowStart(now: now))
            .all(\.$at)
        return policy.lockedUntil(failures: failures, now: now) != nil
    }

    static func recordFailure(scope: Scope, subject: String, on db: any Database, now: Date) async throws {
        try await SignInFailure(scope: scope.rawValue, subject: subject, at: now).create(on: db)
        // Keep the table small: what is outside every window no longer counts.
        try await SignInFailure.query(on: db).filter(\.$at < now.addingTimeInterval(-24 * 3600)).delete()
    }

    static func clear(scope: Scope, subject: String, on db: any Database) async throws {
        try await SignInFailure.query(on: db).filter(\.$scope == scope.rawValue).filter(\.$subject == subject).delete()
    }
}

/// A six-digit code typed at sign-in or when setting up or resetting two-factor.
struct TwoFactorCodeForm: Content {
    var code: String?
}
