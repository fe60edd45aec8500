import type * as v from 'valibot';
import type * as r from './requests.js';
import type * as s from './schemas.js';

export type Cursor = v.InferOutput<typeof s.CursorSchema>;
export type Consultant = v.InferOutput<typeof s.ConsultantSchema>;
export type Counts = v.InferOutput<typeof s.CountsSchema>;
export type Revenue = v.InferOutput<typeof s.RevenueSchema>;
export type ConsultationStatus = v.InferOutput<typeof s.ConsultationStatusSchema>;
export type UpcomingItem = v.InferOutput<typeof s.UpcomingItemSchema>;
export type MessageItem = v.InferOutput<typeof s.MessageItemSchema>;
export type Snapshot = v.InferOutput<typeof s.SnapshotSchema>;
export type Patch = v.InferOutput<typeof s.PatchSchema>;
export type Subject = v.InferOutput<typeof s.SubjectSchema>;

export type EventFrame = v.InferOutput<typeof s.EventFrameSchema>;
export type SnapshotFrame = v.InferOutput<typeof s.SnapshotFrameSchema>;
export type WelcomeFrame = v.InferOutput<typeof s.WelcomeFrameSchema>;
export type HeartbeatFrame = v.InferOutput<typeof s.HeartbeatFrameSchema>;
export type PongFrame = v.InferOutput<typeof s.PongFrameSchema>;
export type ErrorFrame = v.InferOutput<typeof s.ErrorFrameSchema>;
export type ServerFrame = v.InferOutput<typeof s.ServerFrameSchema>;
export type ChangesResponse = v.InferOutput<typeof s.ChangesResponseSchema>;

export type HelloFrame = v.InferOutput<typeof s.HelloFrameSchema>;
export type PingFrame = v.InferOutput<typeof s.PingFrameSchema>;
export type ClientFrame = v.InferOutput<typeof s.ClientFrameSchema>;

export type TokenRequest = v.InferOutput<typeof r.TokenRequestSchema>;
export type TokenResponse = v.InferOutput<typeof r.TokenResponseSchema>;
export type SimulateRequest = v.InferOutput<typeof r.SimulateRequestSchema>;
export type SimulateAction = SimulateRequest['action'];
export type SimulateResponse = v.InferOutput<typeof r.SimulateResponseSchema>;
export type DemoConsultant = v.InferOutput<typeof r.DemoConsultantSchema>;

/** Claims of the Bearer JWT (HS256). `sub` is the consultant id and the only source of identity. */
export interface TokenClaims {
  sub: string;
  exp: number;
  iat?: number;
}
