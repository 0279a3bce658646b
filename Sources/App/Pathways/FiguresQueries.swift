import Domain
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The organisation's application figures as functions of a database, cached per organisation
/// until one of its applications changes.
enum FiguresQueries {
    /// The figures are computed by the database from the covering index `applications_figures_idx`:
    /// counts by pathway, province and state (GROUP BY), and the values at the median and the
    /// 90th percentile of each series (ROW_NUMBER and COUNT over a window). A few dozen rows come
    /// back whatever the number of applications; `PathwayFigures.rows(tallies:ranked:)` assembles
    /// them (tested equal to the computation over every record).
    static func rows(_ req: Request) async throws -> [PathwayFigures.Row] {
        let organisationID = try req.requireUser().organisation.id!
        let sql = req.db as! any SQLDatabase
        // Computed again only when an application of the organisation changed since (FiguresStamp).
        let stamp = try await FiguresStamp.current(organisationID: organisationID, on: sql)
        if let cached = req.application.figuresCache.rows(organisationID, stamp: stamp) { return cached }
        let rows = try await rows(organisationID: organisationID, on: sql)
        req.application.figuresCache.store(organisationID, stamp: stamp, rows: rows)
        return rows
    }

    static func rows(organisationID: UUID, on sql: any SQLDatabase) async throws -> [PathwayFigures.Row] {
        struct Tally: Decodable {
            let code: String
            let province: String?
            let state: String
            let n: Int
        }
        struct Ranked: Decodable {
            let series: String
            let code: String
            let province: String?
            let v: Int
            let rn: Int
            let n: Int
        }
        let approved = ApplicationState.approved.rawValue, refused = ApplicationState.refused.rawValue
        let tallies = try await sql.raw(
            """
            SELECT p.code AS code, a.province AS province, a.state AS state, COUNT(*) AS n
            FROM applications a JOIN pathway_types p ON p.id = a.pathway_type_id
            WHERE a.organisation_id = \(bind: organisationID)
            GROUP BY p.code, a.province, a.state
            """
        ).all(decoding: Tally.self)
        let ranked = try await sql.raw(
            """
            SELECT series, code, province, v, rn, n FROM (
              SELECT series, code, province, v,
                     ROW_NUMBER() OVER (PARTITION BY series, code, province ORDER BY v) AS rn,
                     COUNT(*) OVER (PARTITION BY series, code, province) AS n
              FROM (
                SELECT 'processing' AS series, p.code AS code, a.province AS province, a.processing_days AS v
                FROM applications a JOIN pathway_types p ON p.id = a.pathway_type_id
                WHERE a.organisation_id = \(bind: organisationID) AND a.state IN (\(bind: approved), \(bind: refused)) AND a.processing_days IS NOT NULL
                UNION ALL
                SELECT CASE WHEN a.complete_at_submission THEN 'complete' ELSE 'incomplete' END, p.code, a.province, a.processing_days
                FROM applications a JOIN pathway_types p ON p.id = a.pathway_type_id
                WHERE a.organisation_id = \(bind: organisationID) AND a.state IN (\(bind: approved), \(bind: refused)) AND a.processing_days IS NOT NULL
                  AND a.complete_at_submission IS NOT NULL
                UNION ALL
                SELECT 'validity', p.code, a.province, a.validity_days
                FROM applications a JOIN pathway_types p ON p.id = a.pathway_type_id
                WHERE a.organisation_id = \(bind: organisationID) AND a.state = \(bind: approved) AND a.validity_days IS NOT NULL
              ) series_values
            ) ranked
            WHERE rn = (n * 50 + 99) / 100 OR (series = 'processing' AND rn = (n * 90 + 99) / 100)
            """
        ).all(decoding: Ranked.self)
        return PathwayFigures.rows(
            tallies: tallies.map {
                .init(pathwayCode: $0.code, province: $0.province ?? "", state: ApplicationState(rawValue: $0.state) ?? .preparing, count: $0.n)
            },
            ranked: ranked.compactMap { row in
                PathwayFigures.Series(rawValue: row.series).map {
                    .init(series: $0, pathwayCode: row.code, province: row.province ?? "", value: row.v, rank: row.rn, count: row.n)
                }
            })
    }
}

/// The last figures of each organisation with the stamp they were computed at.
final class FiguresCache: Sendable {
    private let entries = NIOLockedValueBox<[UUID: (stamp: Int, rows: [PathwayFigures.Row])]>([:])

    func rows(_ organisationID: UUID, stamp: Int) -> [PathwayFigures.Row]? {
        entries.withLockedValue { entries in entries[organisationID].flatMap { $0.stamp == stamp ? $0.rows : nil } }
    }

    func store(_ organisationID: UUID, stamp: Int, rows: [PathwayFigures.Row]) {
        entries.withLockedValue { $0[organisationID] = (stamp, rows) }
    }
}

extension Application {
    private struct FiguresCacheKey: StorageKey { typealias Value = FiguresCache }

    var figuresCache: FiguresCache {
        if let cache = storage[FiguresCacheKey.self] { return cache }
        let cache = FiguresCache()
        storage[FiguresCacheKey.self] = cache
        return cache
    }
}
