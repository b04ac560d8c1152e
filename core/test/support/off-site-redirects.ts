// Redirect targets a browser would follow off the site, however spelled (browsers strip tabs and newlines and
// read backslashes as slashes in a Location header): the cases every app's safe-redirect test refuses.
export const OFF_SITE_REDIRECTS: readonly (readonly [kind: string, target: string])[] = [
  ['protocol-relative', '//evil.com/'],
  ['backslash as the second slash', '/\\evil.com'],
  ['tab between the slashes', '/\t/evil.com'],
  ['newline between the slashes', '/\n/evil.com'],
  ['backslash then tab', '/\\\t\\evil.com'],
  ['absolute URL', 'https://evil.com/'],
  ['scheme-relative with credentials', '//user@evil.com'],
  ['javascript URL', 'javascript:alert(1)'],
  ['relative path', 'evil.com'],
  ['empty', '']
]
