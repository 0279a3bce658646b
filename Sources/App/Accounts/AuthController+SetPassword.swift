import Domain
import Fluent
import Vapor

extension AuthController {
    // MARK: - Set-password links

    /// The link's token and its person. A link that never existed is a 404; one that existed
    /// but expired, was used or whose account was closed says so and what to do (410).
    func validToken(_ req: Request) async throws -> (SetPasswordToken, User)? {
        guard let token = req.parameters.get("token"), token.count < 200 else { return nil }
        guard
            let record = try await SetPasswordToken.query(on: req.db)
                .filter(\.$tokenHash == Secrets.sha256Hex(token)).with(\.$user).first()
        else { return nil }
        guard record.usedAt == nil, record.expiresAt > req.now, record.user.isActive else { throw PageError.linkExpired }
        return (record, record.user)
    }

    @Sendable
    func setPasswordPage(req: Request) async throws -> Response {
        guard let (_, user) = try await validToken(req) else { throw PageError.notFound }
        return try await renderSetPassword(req, email: user.email, errors: FormErrors())
    }

    func renderSetPassword(_ req: Request, email: String, errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let csrf = req.csrfToken
        return try await req.render(
            SetPasswordContext(
                page: PageChrome(req, titleKey: "set_password.title"), csrf: csrf, email: email, action: req.url.path,
                errors: errors, minimumLength: PasswordPolicy.minimumLength), status: status)
    }

    @Sendable
    func setPassword(req: Request) async throws -> Response {
        guard let (token, user) = try await validToken(req) else { throw PageError.notFound }
        let form = (try? req.content.decode(NewPasswordForm.self)) ?? NewPasswordForm()
        let password = form.password ?? ""
        let problems = req.application.passwordService.policy.problems(password: password, confirmation: form.confirmation ?? "", email: user.email)
        guard problems.isEmpty else {
            var errors = FormErrors()
            for problem in problems {
                errors.add(problem == .mismatch ? "confirmation" : "password", req.t(problem.rawValue, String(PasswordPolicy.minimumLength)))
            }
            return try await renderSetPassword(req, email: user.email, errors: errors, status: .unprocessableEntity)
        }
        let hash = try await req.application.passwordService.hash(password, on: req.application.threadPool)
        let requestID = req.id
        let actor = AuditActor(userID: user.id, email: user.email, organisationID: user.$organisation.id)
        try await req.db.writeTransaction { db in
            // Marking the token used in the same transaction makes the link single-use even
            // when two submissions race.
            let claimed = try await SetPasswordToken.query(on: db).filter(\.$id == token.id!).filter(\.$usedAt == nil).count()
            guard claimed == 1 else { throw PageError.notFound }
            token.usedAt = req.now
            try await token.save(on: db)
            user.passwordHash = hash
            try await user.save(on: db)
            try await DatabaseSessions.endAll(of: user.id!, on: db)
            try await AuditLog.append(on: db, actor: actor, action: .passwordSet, target: user.id?.uuidString, requestID: requestID)
        }
        return req.redirect(to: SiteURL.login.path + "?notice=password_set")
    }
}
