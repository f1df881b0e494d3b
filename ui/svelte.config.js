// Svelte's own settings; vite-plugin-svelte and svelte-check both read this file.
export default {
  compilerOptions: { runes: true },
};
