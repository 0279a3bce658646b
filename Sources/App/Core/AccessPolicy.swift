import Domain
import Vapor

/// Who may use a route. Every route is registered with one (see `RoutesBuilder.on(_:_:access:…)`),
/// and `RouteAccessTests` fails on any route without one.
enum AccessPolicy: Sendable, CustomStringConvertible {
    /// Anyone, signed in or not.
    case `public`
    /// Someone whose password was accepted and who must now give a two-factor code.
    case secondFactorPending
    /// Any fully signed-in person, whatever their roles.
    case signedIn
    /// A fully signed-in person holding at least one of these roles.
    case roles(Set<Role>)
    /// Loopback clients, or any client with the metrics bearer token.
    case metrics

    var description: String {
        switch self {
        case .public: "public"
        case .secondFactorPending: "second-factor-pending"
        case .signedIn: "signed-in"
        case .roles(let roles): "roles(" + roles.sorted().map(\.rawValue).joined(separator: ",") + ")"
        case .metrics: "metrics"
        }
    }

    static let userInfoKey = AnySendableHashable("passerelle.access")
    static let maxBodyKey = AnySendableHashable("passerelle.maxBody")
}

extension RoutesBuilder {
    /// The only way Passerelle registers a route: the policy is both recorded on the route (for
    /// the route-walking test) and enforced by the middleware wrapped around that route alone,
    /// so the two cannot drift apart.
    @discardableResult
    func on<Response: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: String, access: AccessPolicy, maxBody: ByteCount? = nil,
        use handler: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        let route = grouped(AccessMiddleware(policy: access, maxBody: maxBody))
            .on(method, path.pathComponents, body: .collect(maxSize: maxBody), use: handler)
        route.userInfo[AccessPolicy.userInfoKey] = access
        return route
    }
}

/// Enforces a route's policy, and for every state-changing request the CSRF check first.
struct AccessMiddleware: AsyncMiddleware {
    let policy: AccessPolicy
    let maxBody: ByteCount?

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // The in-memory test server and some clients hand over a body already collected; the
        // limit must hold for them too.
        let limit = maxBody?.value ?? request.application.routes.defaultMaxBodySize.value
        if let body = request.body.data, body.readableBytes > limit { throw Abort(.payloadTooLarge) }
        if ![.GET, .HEAD, .OPTIONS].contains(request.method) {
            try await CSRF.verify(request, maxBody: maxBody)
        }
        switch policy {
        case .public:
            break
        case .secondFactorPending:
            guard request.pendingUser != nil else { return request.redirect(to: SiteURL.login) }
        case .signedIn:
            guard request.currentUser != nil else { return signInFirst(request) }
        case .roles(let roles):
            guard let user = request.currentUser else { return signInFirst(request) }
            guard user.hasAny(roles) else { throw PageError.forbidden }
        case .metrics:
            let loopback = ["127.0.0.1", "::1"].contains(request.remoteAddress?.ipAddress ?? "")
                && request.headers.first(name: .xForwardedFor) == nil
            let token = request.config.metricsToken
            let bearer = request.headers.bearerAuthorization?.token
            let tokenOK = token != nil && bearer != nil && Secrets.constantTimeEqual(token!, bearer!)
            guard loopback || tokenOK else { throw PageError.notFound }
        }
        return try await next.respond(to: request)
    }

    private func signInFirst(_ request: Request) -> Response {
        request.redirect(to: SiteURL.login, redirectType: .normal)
    }
}
