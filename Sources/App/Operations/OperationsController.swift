import Vapor

/// Health and metrics for whoever runs the service.
struct OperationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.GET, .healthz, access: .public, use: healthz)
        routes.on(.GET, .metrics, access: .metrics, use: metrics)
    }

    struct Health: Content {
        let status: String
    }

    @Sendable
    func healthz(req: Request) async throws -> Response {
        do {
            try await DatabaseSetup.ping(req.db)
            return try await Health(status: "ok").encodeResponse(status: .ok, for: req)
        } catch {
            req.logger.error("health check failed", metadata: ["error": "\(error)"])
            return try await Health(status: "unavailable").encodeResponse(status: .serviceUnavailable, for: req)
        }
    }

    @Sendable
    func metrics(req: Request) async throws -> Response {
        let text = PasserelleMetrics.registry.emitToString()
        return Response(status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: .init(string: text))
    }
}
