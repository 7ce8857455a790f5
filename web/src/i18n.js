// vue-i18n with Chinese first and English second; the choice is kept in the
// browser (localStorage) and written to <html lang>.
import { createI18n } from 'vue-i18n';
import base from './messages.js';
import { roles } from './roles/index.js';
import { messagesOf } from './roles/registry.js';

export const kLocales = [
  { id: 'zh-CN', label: '中文' },
  { id: 'en', label: 'English' },
];
const kStoreKey = 'xietong.locale';

function savedLocale() {
  try {
    const v = localStorage.getItem(kStoreKey);
    return kLocales.some((l) => l.id === v) ? v : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: savedLocale(),
  fallbackLocale: 'zh-CN',
  messages: messagesOf(roles, base),
  missingWarn: false,
  fallbackWarn: false,
});

export function setLocale(id) {
  i18n.global.locale.value = id;
  document.documentElement.lang = id;
  try {
    localStorage.setItem(kStoreKey, id);
  } catch {
    // private mode: the choice lasts for this page only
  }
}
document.documentElement.lang = i18n.global.locale.value;
