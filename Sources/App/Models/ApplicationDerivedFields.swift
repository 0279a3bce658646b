import Domain
import Fluent
import Foundation

/// Keeps the derived columns of an application current whatever path saves it.
struct ApplicationDerivedFields: AsyncModelMiddleware {
    static func refresh(_ application: PathwayApplication) {
        let submitted = application.submittedOn.map(Day.init), decided = application.decidedOn.map(Day.init)
        application.processingDays = ApplicationFigures.processingBusinessDays(submitted: submitted, decided: decided)
        application.validityDays =
            application.applicationState == .approved
            ? ApplicationFigures.validityDays(from: application.validFrom.map(Day.init), to: application.validTo.map(Day.init)) : nil
    }

    func create(model: PathwayApplication, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        Self.refresh(model)
        if model.province == nil {
            model.province = try await CaseFile.query(on: db).filter(\.$id == model.caseID).field(\.$id).field(\.$province).first()?.province
        }
        try await next.create(model, on: db)
    }

    func update(model: PathwayApplication, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        Self.refresh(model)
        try await next.update(model, on: db)
    }
}
