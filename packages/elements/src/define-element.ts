/** Defines `tag` unless the page has it already (two copies of the library on one page must not throw). */
export function defineElement(tag: string, element: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, element);
}
