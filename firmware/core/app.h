/* Board-independent application: serial protocol server + provisioning job. */
#ifndef APP_H
#define APP_H
void app_init(void);
void app_poll(void);
#endif
