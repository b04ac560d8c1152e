// Lets the root tsc (which does not compile Svelte) resolve the generated UI registry's lazy imports of
// .svelte files; the web apps type-check the components themselves with svelte-check.
declare module '*.svelte' {
  const component: unknown
  export default component
}
