import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

struct CaseSettingsKey: StorageKey { typealias Value = CaseSettings }

extension AccessPolicy {
    /// Who reads and writes case files: caseworkers and supervisors of the case's organisation.
    static let caseWorkers = AccessPolicy.roles([.caseworker, .supervisor])
    static let supervisors = AccessPolicy.roles([.supervisor])
}

/// The request side of case access, shared by every case route (cases, sections, documents,
/// exports, applications): the viewer, the case of the route's `id`, the audit of a case event.
/// The rules themselves are in `CaseQueries`, which take a `CaseViewer`, not a request.
enum CaseAccess {
    /// The organisation's settings, read once per request.
    static func settings(_ req: Request, for organisation: Organisation) async throws -> CaseSettings {
        if let cached = req.storage[CaseSettingsKey.self] { return cached }
        let settings = try await CaseQueries.settings(for: organisation, on: req.db)
        req.storage[CaseSettingsKey.self] = settings
        return settings
    }

    /// The case of the route's `id`, if the signed-in user may see it; 404 otherwise, whether it
    /// exists elsewhere or not: the record-level rule lives in the query (the organisation's cases,
    /// only the assigned ones when the organisation keeps caseworkers to their own).
    static func find(_ req: Request) async throws -> CaseFile {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw PageError.notFound }
        guard let file = try await CaseQueries.find(id, viewer: try await viewer(req), on: req.db) else { throw PageError.notFound }
        return file
    }

    /// The signed-in person as a case viewer.
    static func viewer(_ req: Request) async throws -> CaseViewer {
        let current = try req.requireUser()
        return CaseViewer(user: current.user, roles: current.roles, settings: try await settings(req, for: current.organisation))
    }

    /// A case event in the audit log: in `db`'s transaction when given (a write), else by group
    /// commit (a view, an export).
    static func audit(_ req: Request, _ action: AuditAction, _ file: CaseFile, detail: String? = nil, on db: (any Database)? = nil) async throws {
        let actor = req.auditActor
        let requestID = req.id
        let target = file.id?.uuidString
        let detail = [file.reference, detail].compactMap { $0 }.joined(separator: " ")
        if let db {
            try await AuditLog.append(on: db, actor: actor, action: action, target: target, requestID: requestID, detail: detail)
        } else {
            try await req.audit(action, target: target, detail: detail, actor: actor)
        }
    }
}
