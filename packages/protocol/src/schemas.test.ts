/// <reference types="mocha" />
import { expect } from '@open-wc/testing';
import { ChangesResponseSchema } from './schemas.js';
import { validate } from './validate.js';

describe('ChangesResponseSchema', () => {
  const heartbeat = { type: 'heartbeat', epoch: 'e1', seq: 3, serverTime: 1 };

  it('takes an answer with frames', () => {
    expect(validate(ChangesResponseSchema, { frames: [heartbeat] }).ok).to.equal(true);
  });

  it('refuses an answer without a frame, which a client takes as a bad frame', () => {
    expect(validate(ChangesResponseSchema, { frames: [] }).ok).to.equal(false);
    expect(validate(ChangesResponseSchema, {}).ok).to.equal(false);
  });
});
