/** `POST /api/demo/simulate`: each action is what "a family in a separate session" does. */
import type { SimulateRequest } from '@fg/protocol';
import type { OutEvent } from './db/eventlog.js';
import type { Domain } from './domain.js';

export function simulate(domain: Domain, request: SimulateRequest): Promise<OutEvent> {
  const id = request.consultantId;
  switch (request.action) {
    case 'book':
      return domain.book(id, request);
    case 'message':
      return domain.receiveMessage(id, request);
    case 'payment':
      return domain.completePayment(id, request);
    case 'associate-family':
      return domain.associateFamily(id, request.familyName);
    case 'dissociate-family':
      return domain.dissociateFamily(id, request.familyId);
    case 'start-consultation':
      return domain.startConsultation(id, request.consultationId);
    case 'complete-consultation':
      return domain.completeConsultation(id, request.consultationId);
    case 'cancel-consultation':
      return domain.cancelConsultation(id, request.consultationId);
    case 'reschedule-consultation':
      return domain.rescheduleConsultation(id, request.consultationId, request.startsInSeconds);
    case 'add-task':
      return domain.addTask(id, request);
    case 'complete-task':
      return domain.completeTask(id, request.taskId);
  }
}
