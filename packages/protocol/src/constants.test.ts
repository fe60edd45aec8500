/// <reference types="mocha" />
import { expect } from '@open-wc/testing';
import { currencyExponent } from './frames.js';

describe('currencyExponent', () => {
  it("is ISO 4217's minor unit of each currency, 2 for most", () => {
    const expected: Record<string, number> = {
      USD: 2,
      EUR: 2,
      GBP: 2,
      HUF: 2,
      COP: 2,
      IDR: 2,
      TWD: 2,
      MGA: 2,
      MRU: 2,
      JPY: 0,
      KRW: 0,
      ISK: 0,
      CLP: 0,
      VND: 0,
      XAF: 0,
      XOF: 0,
      XPF: 0,
      UYI: 0,
      IQD: 3,
      KWD: 3,
      BHD: 3,
      JOD: 3,
      LYD: 3,
      OMR: 3,
      TND: 3,
      CLF: 4,
      UYW: 4,
    };
    for (const [currency, exponent] of Object.entries(expected)) {
      expect(currencyExponent(currency), currency).to.equal(exponent);
    }
  });

  it('is 2 for a code not in the list, including one spelled across two listed codes', () => {
    expect(currencyExponent('XYZ')).to.equal(2);
    expect(currencyExponent('FCL')).to.equal(2); // "BIF CLP" holds no such code
    expect(currencyExponent('jpy')).to.equal(2); // codes are upper case on the wire
    expect(currencyExponent('')).to.equal(2);
  });
});
