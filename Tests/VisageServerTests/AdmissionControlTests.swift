import HTTPTypes
import Testing
@testable import VisageServer

struct AdmissionControlTests {
    @Test func refusesBeyondTheQueueAndHandsSlotsOverInOrder() async throws {
        let control = AdmissionControl(slots: 1, queueLimit: 1, maxWait: .seconds(30))
        try await control.acquire()
        let waiter = Task { try await control.acquire() }
        while control.load.waiting == 0 { await Task.yield() }
        await #expect(throws: ServiceError.self) { try await control.acquire() }  // queue full: busy
        #expect(throws: ServiceError.self) { try control.refuseIfSaturated() }
        control.release()
        try await waiter.value
        #expect(control.load.running == 1 && control.load.waiting == 0)
        control.release()
        #expect(control.load.running == 0)
    }

    @Test func aWaiterGivesUpAfterMaxWait() async throws {
        let control = AdmissionControl(slots: 1, queueLimit: 4, maxWait: .milliseconds(50))
        try await control.acquire()
        do {
            try await control.acquire()
            Issue.record("acquired a busy slot")
        } catch let error as ServiceError {
            #expect(error.code == "timeout")
            #expect(error.headers[.retryAfter] != nil)
        }
        #expect(control.load.waiting == 0)
        control.release()
    }
}
