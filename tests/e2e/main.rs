mod store_story;
