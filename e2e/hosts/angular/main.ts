// An Angular app (standalone component, zoneless) that embeds the dashboard's custom elements
// directly, as docs/embedding.md shows. The template is compiled in the browser (JIT), so
// the component is declared by calling `Component` rather than with decorator syntax.
import '@angular/compiler';
import { CUSTOM_ELEMENTS_SCHEMA, Component, provideZonelessChangeDetection, signal } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import type { SessionExpiredDetail } from '@fg/realtime';
import '@fg/dashboard-elements/define/fg-dashboard.js';
import '@fg/dashboard-elements/themes/light.css';

const { endpoint, token } = (window as unknown as { FG_HOST: { endpoint: string; token: string } }).FG_HOST;

class Practice {
  endpoint = endpoint;
  getToken = () => token; // an arrow function keeps `this`
  markedRead = signal<string[]>([]);

  onMarkRead(event: Event) {
    const { messageId } = (event as CustomEvent<{ messageId: string }>).detail;
    this.markedRead.update((ids) => [...ids, messageId]);
  }

  onSessionExpired(event: Event) {
    event.preventDefault();
    console.info('signed out; sign in at', (event as CustomEvent<SessionExpiredDetail>).detail.loginUrl);
  }
}

const PracticeComponent = Component({
  selector: 'app-practice',
  standalone: true,
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <main>
      <h1>My practice</h1>
      <fg-dashboard-provider
        [endpoint]="endpoint"
        [getToken]="getToken"
        login-url="/login"
        (fg-session-expired)="onSessionExpired($event)"
      >
        <fg-dashboard (fg-mark-read)="onMarkRead($event)"></fg-dashboard>
      </fg-dashboard-provider>
      <p>
        Marked read from Angular: <output aria-label="Marked read">{{ markedRead().join(', ') }}</output>
      </p>
    </main>
  `,
})(Practice);

bootstrapApplication(PracticeComponent, { providers: [provideZonelessChangeDetection()] }).catch((error) =>
  console.error(error),
);
