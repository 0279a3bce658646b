import Domain
import Fluent
import Vapor

/// The signed-in person of a request, with their organisation, loaded once per request.
struct CurrentUser: Sendable {
    let user: User
    let organisation: Organisation
    var roles: [Role] { user.roleList }

    func has(_ role: Role) -> Bool { roles.contains(role) }
    func hasAny(_ wanted: Set<Role>) -> Bool { !wanted.isDisjoint(with: roles) }
}

enum AuthLevel: String {
    /// Password checked, second factor still to come.
    case password
    case full
}

struct CurrentUserKey: StorageKey { typealias Value = CurrentUser }
struct PendingUserKey: StorageKey { typealias Value = CurrentUser }

extension Request {
    var currentUser: CurrentUser? { storage[CurrentUserKey.self] }
    var pendingUser: CurrentUser? { storage[PendingUserKey.self] }

    /// For handlers behind `.signedIn` or a role policy, where the middleware guarantees a user.
    func requireUser() throws -> CurrentUser {
        guard let user = currentUser else { throw Abort(.unauthorized) }
        return user
    }

    /// The CSRF token bound to this session, created with the session if needed.
    var csrfToken: String {
        if let token = session.data["csrf"] { return token }
        let token = Secrets.randomToken()
        session.data["csrf"] = token
        return token
    }
}

/// Loads the session's user (never for requests without a session, so anonymous requests do
/// not create sessions), and remembers an explicit `?lang=` choice.
struct CurrentUserMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.hasSession, let raw = request.session.data[DatabaseSessions.userKey], let userID = UUID(uuidString: raw) {
            // The user and the organisation were read with the session row; read again only if
            // the row's user differs from the session data's (it never should).
            let loaded: SessionUser?
            if let preloaded = request.storage[SessionUserKey.self], preloaded.user.id == userID {
                loaded = preloaded
            } else if let user = try await User.query(on: request.db).join(Organisation.self, on: \User.$organisation.$id == \Organisation.$id)
                .filter(\.$id == userID).first(), let organisation = try? user.joined(Organisation.self)
            {
                loaded = SessionUser(user: user, organisation: organisation)
            } else {
                loaded = nil
            }
            if let user = loaded?.user, let organisation = loaded?.organisation, user.isActive, organisation.isActive {
                user.$organisation.value = organisation
                if let settings = loaded?.settings { request.storage[CaseSettingsKey.self] = settings }
                let current = CurrentUser(user: user, organisation: organisation)
                switch AuthLevel(rawValue: request.session.data["auth"] ?? "") {
                case .full: request.storage[CurrentUserKey.self] = current
                case .password: request.storage[PendingUserKey.self] = current
                case nil: break
                }
            } else {
                request.session.destroy()
            }
        }

        let chosen = (try? request.query.get(String.self, at: "lang")).flatMap(Language.init(tag:))
        if let chosen, let current = request.currentUser, current.user.preferredLanguage != chosen {
            current.user.language = chosen.rawValue
            let actor = request.auditActor
            let requestID = request.id
            try await request.db.writeTransaction { db in
                try await current.user.save(on: db)
                try await AuditLog.append(
                    on: db, actor: actor, action: .languageChanged, target: current.user.id?.uuidString,
                    requestID: requestID, detail: chosen.rawValue)
            }
        }
        let response = try await next.respond(to: request)
        if let chosen {
            response.cookies["lang"] = HTTPCookies.Value(
                string: chosen.rawValue, maxAge: 365 * 24 * 3600, path: "/", isSecure: request.config.isHTTPS,
                isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }
}
